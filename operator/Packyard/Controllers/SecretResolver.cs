using System.Text;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;

namespace Packyard.Controllers;

/// <summary>A Secret reference that could not be resolved: stalls the resource until the Secret or the reference is fixed.</summary>
public sealed class SecretReferenceException(string message, string reason = Reasons.SecretNotFound) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>Reads values of Secrets by reference; messages name the Secret and key, never a value.</summary>
public static class SecretResolver
{
    /// <summary>The value of <paramref name="reference"/>: its key, or the Secret's only entry when no key is given.</summary>
    public static byte[] Value(IResourceLookup lookup, string ns, SecretReference reference, string field)
    {
        var entries = Entries(lookup, ns, reference, field);
        if (reference.Key is { } key)
        {
            return entries.TryGetValue(key, out var value)
                ? value
                : throw new SecretReferenceException($"{field}: Secret {ns}/{reference.Name} has no key '{key}'");
        }

        return entries.Count == 1
            ? entries.Values.First()
            : throw new SecretReferenceException($"{field}: Secret {ns}/{reference.Name} has {entries.Count} entries; name one with {field}.key");
    }

    public static string Text(IResourceLookup lookup, string ns, SecretReference reference, string field) =>
        Encoding.UTF8.GetString(Value(lookup, ns, reference, field));

    /// <summary>All entries of the referenced Secret (for username+password pairs and guards).</summary>
    public static Dictionary<string, byte[]> Entries(IResourceLookup lookup, string ns, SecretReference reference, string field)
    {
        var secret = lookup.GetSecret(ns, reference.Name)
            ?? throw new SecretReferenceException($"{field}: Secret {ns}/{reference.Name} not found");
        return secret.DecodedEntries();
    }

    public static string? OptionalText(Dictionary<string, byte[]> entries, string key) =>
        entries.TryGetValue(key, out var value) ? Encoding.UTF8.GetString(value) : null;
}
