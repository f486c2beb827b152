using System.Diagnostics;
using System.Text;
using Packyard.Content.Deb;

namespace Packyard.Tests.Deb;

public sealed class DebianVersionTests
{
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0", "1.00", 0)]
    [InlineData("0:1.0", "1.0", 0)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0~~", "1.0~", -1)]
    [InlineData("1.0", "1.0+b1", -1)]
    [InlineData("1.0a", "1.0+", -1)]
    [InlineData("1:0.1", "9.9", 1)]
    [InlineData("1.0-1", "1.0-1~bpo1", 1)]
    [InlineData("2.10-3", "2.9-3", 1)]
    [InlineData("1.0-0", "1.0", 0)]
    public void Known_pairs_order_as_dpkg_documents(string left, string right, int expected)
    {
        Assert.Equal(expected, Math.Sign(DebianVersion.Compare(left, right)));
        Assert.Equal(-expected, Math.Sign(DebianVersion.Compare(right, left)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:1.0")]
    [InlineData("1.0-")]
    [InlineData("1.0 beta")]
    [InlineData("1.0-a_b")]
    public void Invalid_versions_are_refused_with_a_reason(string text)
    {
        Assert.Null(DebianVersion.TryParse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Equal_versions_have_equal_hash_codes()
    {
        Assert.Equal(DebianVersion.Parse("1.0-0"), DebianVersion.Parse("0:1.00"));
        Assert.Equal(DebianVersion.Parse("1.0-0").GetHashCode(), DebianVersion.Parse("0:1.00").GetHashCode());
        Assert.Equal(DebianVersion.Parse("a0b").GetHashCode(), DebianVersion.Parse("ab").GetHashCode());
    }

    [Fact]
    public async Task Six_hundred_generated_pairs_order_exactly_as_dpkg_compare_versions()
    {
        var random = new Random(20261122);
        var pairs = new List<(string Left, string Right)>();
        for (var i = 0; i < 600; i++)
        {
            var left = Generate(random);
            // Half the pairs are near-misses of each other, where ordering subtleties live.
            var right = i % 2 == 0 ? Mutate(left, random) : Generate(random);
            pairs.Add((left, right));
        }

        var expected = await DpkgCompareAsync(pairs);
        var mismatches = new List<string>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var actual = Math.Sign(DebianVersion.Compare(pairs[i].Left, pairs[i].Right));
            if (actual != expected[i])
            {
                mismatches.Add($"{pairs[i].Left} vs {pairs[i].Right}: dpkg {expected[i]}, Packyard {actual}");
            }
        }

        Assert.Empty(mismatches);
    }

    private const string UpstreamChars = "0123456789abzAZ.+~-";
    private const string RevisionChars = "0123456789abzAZ.+~";

    private static string Generate(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(5) == 0)
        {
            text.Append(random.Next(0, 3)).Append(':');
        }

        text.Append((char)('0' + random.Next(10)));
        var hasRevision = random.Next(3) > 0;
        var length = random.Next(0, 7);
        for (var i = 0; i < length; i++)
        {
            var chars = hasRevision ? UpstreamChars : UpstreamChars[..^1];
            text.Append(chars[random.Next(chars.Length)]);
        }

        if (hasRevision)
        {
            text.Append('-');
            var revisionLength = random.Next(1, 5);
            for (var i = 0; i < revisionLength; i++)
            {
                text.Append(RevisionChars[random.Next(RevisionChars.Length)]);
            }
        }

        return text.ToString();
    }

    private static string Mutate(string version, Random random)
    {
        var chars = version.ToCharArray().ToList();
        var at = random.Next(chars.Count);
        var protectedChar = chars[at] is ':' or '-';
        switch (random.Next(4))
        {
            case 0 when !protectedChar:
                chars[at] = RevisionChars[random.Next(RevisionChars.Length)];
                break;
            case 1:
                chars.Add(random.Next(2) == 0 ? '~' : (char)('0' + random.Next(10)));
                break;
            case 2:
                chars.Insert(at == 0 ? 1 : at, '0');
                break;
            default:
                chars.Add(RevisionChars[random.Next(RevisionChars.Length)]);
                break;
        }

        var result = new string([.. chars]);
        return DebianVersion.TryParse(result, out _) is null || !char.IsAsciiDigit(result.Contains(':') ? result[(result.IndexOf(':') + 1)] : result[0])
            ? version + "0"
            : result;
    }

    /// <summary>Runs <c>dpkg --compare-versions</c> for every pair in one shell loop; -1, 0 or 1 per pair.</summary>
    private static async Task<int[]> DpkgCompareAsync(List<(string Left, string Right)> pairs)
    {
        var start = new ProcessStartInfo("bash", ["-c",
            "while read -r a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo -1; elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; done"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        foreach (var (left, right) in pairs)
        {
            await process.StandardInput.WriteLineAsync($"{left} {right}");
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == pairs.Count, $"dpkg answered {lines.Length} of {pairs.Count} pairs: {await errors}");
        return [.. lines.Select(int.Parse)];
    }
}
