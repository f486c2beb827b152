using System.Text;
using Packyard.Content.Rpm;
using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Rpm;

public sealed class RpmVersionTests
{
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0", "1.0.1", -1)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0~rc1", "1.0~rc2", -1)]
    [InlineData("1.0^git1", "1.0", 1)]
    [InlineData("1.0^git1", "1.0.1", -1)]
    [InlineData("1.0^", "1.0~", 1)]
    [InlineData("1:0.1", "9.9", 1)]
    [InlineData("0:1.0", "1.0", 0)]
    [InlineData("1.0-1", "1.0-2", -1)]
    [InlineData("1.0", "1.0-5", -1)]
    [InlineData("1.0", "1.0-", -1)]
    [InlineData("010", "10", 0)]
    [InlineData("1a", "1.0", -1)]
    [InlineData("2.10-3", "2.9-3", 1)]
    [InlineData("1.0_1", "1.0.1", 0)]
    public void Known_pairs_order_as_rpm_documents(string left, string right, int expected)
    {
        Assert.Equal(expected, RpmVersion.Parse(left).CompareTo(RpmVersion.Parse(right)));
        Assert.Equal(-expected, RpmVersion.Parse(right).CompareTo(RpmVersion.Parse(left)));
    }

    [Theory]
    [InlineData("foo", "foo", "1.0-1", true)]
    [InlineData("foo >= 1.0", "foo", "1.0-1", true)]
    [InlineData("foo = 1.0", "foo", "1.0-7", true)]
    [InlineData("foo = 1.0-6", "foo", "1.0-7", false)]
    [InlineData("foo < 2:0.1", "foo", "1:9.9-1", true)]
    [InlineData("foo > 1.0", "foo", "1.0~rc1-1", false)]
    [InlineData("foo >= 1.0", "bar", "2.0-1", false)]
    public void Selector_matches_name_and_an_rpm_version_constraint(string selector, string name, string version, bool expected)
    {
        Assert.Equal(expected, new RpmContentSelector().Matches(selector, name, version));
    }

    [Fact]
    public void Parse_splits_epoch_version_and_release_as_rpm_does()
    {
        Assert.Equal(new RpmVersion("2", "1.0", "3.el9"), RpmVersion.Parse("2:1.0-3.el9"));
        Assert.Equal(new RpmVersion(null, "1.0-rc", "1"), RpmVersion.Parse("1.0-rc-1"));
        Assert.Equal(new RpmVersion("0", "5", null), RpmVersion.Parse(":5"));
        Assert.Equal(new RpmVersion(null, "5", null), RpmVersion.Parse("5"));
    }

    /// <summary>
    /// Thousands of generated pairs (digits, letters, separators, leading zeros, '~', '^', epochs and releases) compared
    /// by Packyard and by the real rpm's <c>rpm.vercmp</c>, in one rpm process.
    /// </summary>
    [Fact]
    public async Task Generated_pairs_order_exactly_as_the_rpm_tool_orders_them()
    {
        var random = new Random(20261122);
        var pairs = new List<(string A, string B)>();
        for (var i = 0; i < 6000; i++)
        {
            var a = Generate(random);
            // Half the pairs are near-misses of each other, where the interesting cases are.
            var b = i % 2 == 0 ? Mutate(random, a) : Generate(random);
            pairs.Add((a, b));
        }

        using var work = new TemporaryDirectory();
        var pairFile = Path.Combine(work.Path, "pairs.txt");
        await File.WriteAllTextAsync(pairFile, string.Concat(pairs.Select(p => $"{p.A}\t{p.B}\n")), new UTF8Encoding(false));
        var script = Path.Combine(work.Path, "vercmp.lua");
        await File.WriteAllTextAsync(script,
            $"local t={{}} for l in io.lines(\"{pairFile}\") do local a,b=l:match(\"^([^\\t]*)\\t([^\\t]*)$\"); t[#t+1]=tostring(rpm.vercmp(a,b)) end print(table.concat(t,\",\"))");
        var output = await ProcessRunner.RunAsync("rpm", ["--eval", $"%{{lua: dofile(\"{script}\")}}"]);
        var expected = output.Trim().Split(',').Select(int.Parse).ToList();
        Assert.Equal(pairs.Count, expected.Count);

        var mismatches = pairs.Zip(expected)
            .Select(p => (p.First.A, p.First.B, Rpm: p.Second, Packyard: RpmVersion.Parse(p.First.A).CompareTo(RpmVersion.Parse(p.First.B))))
            .Where(r => r.Rpm != r.Packyard)
            .Take(10)
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Select(m => $"{m.A} vs {m.B}: rpm {m.Rpm}, packyard {m.Packyard}")));
        Assert.Contains(-1, expected);
        Assert.Contains(0, expected);
        Assert.Contains(1, expected);
    }

    private static readonly string[] Pieces = ["0", "1", "2", "9", "10", "007", "42", "a", "b", "rc", "Z", "beta", ".", ".", "_", "+", "~", "^", "-"];

    private static string Generate(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(6) == 0)
        {
            text.Append(random.Next(4)).Append(':');
        }

        var count = random.Next(1, 7);
        for (var i = 0; i < count; i++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }

    private static string Mutate(Random random, string text)
    {
        var at = random.Next(text.Length + 1);
        return random.Next(3) switch
        {
            0 => text.Insert(at, Pieces[random.Next(Pieces.Length)]),
            1 when text.Length > 1 => text.Remove(Math.Min(at, text.Length - 1), 1),
            _ => text + Pieces[random.Next(Pieces.Length)],
        };
    }
}
