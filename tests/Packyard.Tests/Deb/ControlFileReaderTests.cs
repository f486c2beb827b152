using System.Text;
using Packyard.Content.Deb;
using Packyard.Engine.Downloads;

namespace Packyard.Tests.Deb;

public sealed class ControlFileReaderTests
{
    private static async Task<List<ControlStanza>> ReadAsync(string text, ControlFileLimits? limits = null)
    {
        var result = new List<ControlStanza>();
        await foreach (var stanza in ControlFileReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), "Packages", limits ?? new ControlFileLimits(), CancellationToken.None))
        {
            result.Add(stanza);
        }

        return result;
    }

    [Fact]
    public async Task Stanzas_are_separated_by_blank_lines_and_keep_field_order_and_continuations()
    {
        var text = "Package: hello\nVersion: 2.10-3\nDescription: greets\n the world\n .\n twice\n\n\nPackage: tree\r\nversion: 2.1.0-1\n";
        var stanzas = await ReadAsync(text);

        Assert.Equal(2, stanzas.Count);
        Assert.Equal(["Package", "Version", "Description"], stanzas[0].Fields.Select(f => f.Key));
        Assert.Equal("greets\n the world\n .\n twice", stanzas[0]["description"]);
        Assert.Equal("2.1.0-1", stanzas[1]["Version"]);
        Assert.Equal("Package: hello\nVersion: 2.10-3\nDescription: greets\n the world\n .\n twice\n", stanzas[0].ToString());
    }

    [Fact]
    public async Task A_multi_line_field_with_an_empty_first_line_round_trips()
    {
        var stanza = Assert.Single(await ReadAsync("Origin: x\nSHA256:\n abc 12 main/Packages\n def 3 main/Packages.gz\n"));
        Assert.Equal("\n abc 12 main/Packages\n def 3 main/Packages.gz", stanza["SHA256"]);
        Assert.Equal("Origin: x\nSHA256:\n abc 12 main/Packages\n def 3 main/Packages.gz\n", stanza.ToString());
    }

    [Fact]
    public async Task A_stanza_larger_than_the_limit_fails_naming_the_file_and_line()
    {
        var text = "Package: a\n\nPackage: b\nDescription: x\n" + string.Concat(Enumerable.Repeat(" more text\n", 200));
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => ReadAsync(text, new ControlFileLimits(MaxStanzaBytes: 1000)));
        Assert.Contains("Packages:3: stanza larger than 1000 bytes", error.Message);
    }

    [Fact]
    public async Task Too_many_fields_fail()
    {
        var text = string.Concat(Enumerable.Range(0, 20).Select(i => $"F{i}: v\n"));
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => ReadAsync(text, new ControlFileLimits(MaxFields: 10)));
        Assert.Contains("more than 10 fields", error.Message);
    }

    [Theory]
    [InlineData(" continuation first\n", "continuation line without a field")]
    [InlineData("Package hello\n", "expected 'Field: value'")]
    public async Task Malformed_lines_fail_with_the_line_number(string text, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => ReadAsync(text));
        Assert.Contains("Packages:1:", error.Message);
        Assert.Contains(message, error.Message);
    }
}
