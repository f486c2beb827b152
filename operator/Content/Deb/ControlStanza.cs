using System.Text;

namespace Packyard.Content.Deb;

/// <summary>
/// One deb822 paragraph: fields in their original order. A multi-line value keeps its continuation lines as written
/// (each starting with a space or tab), so writing the stanza back reproduces it.
/// </summary>
public sealed class ControlStanza
{
    private readonly List<KeyValuePair<string, string>> fields;

    public ControlStanza(IEnumerable<KeyValuePair<string, string>> fields) => this.fields = [.. fields];

    public IReadOnlyList<KeyValuePair<string, string>> Fields => fields;

    /// <summary>The value of <paramref name="name"/> (field names are case-insensitive), or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var field in fields)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return field.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Sets a field, replacing it in place or appending it.</summary>
    public void Set(string name, string value)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (string.Equals(fields[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                fields[i] = new(fields[i].Key, value);
                return;
            }
        }

        fields.Add(new(name, value));
    }

    public void Remove(string name) => fields.RemoveAll(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes the stanza (without the blank separator line).</summary>
    public void WriteTo(StringBuilder output)
    {
        foreach (var (name, value) in fields)
        {
            output.Append(name).Append(':');
            if (value.Length > 0 && value[0] != '\n')
            {
                output.Append(' ');
            }

            output.Append(value).Append('\n');
        }
    }

    public override string ToString()
    {
        var output = new StringBuilder();
        WriteTo(output);
        return output.ToString();
    }
}
