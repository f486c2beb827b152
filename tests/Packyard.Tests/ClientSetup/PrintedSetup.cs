using System.Net;
using System.Text.RegularExpressions;
using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.ClientSetup;

/// <summary>
/// The client set-up a Distribution's card on the status page prints, taken from the page's HTML as a person copies it, and a
/// way to run it as written: as root in bash, in a private mount namespace whose <c>/etc</c> and <c>/var</c> are overlays on a
/// tmpfs (what the commands write there vanishes with the namespace) with the machine's own apt sources set aside, so
/// <c>apt-get update</c> reads only what the printed commands configured.
/// </summary>
internal static partial class PrintedSetup
{
    [GeneratedRegex("""<p class="snippet-title">(?<title>[^<]*)</p><pre class="snippet"><code>(?<code>[^<]*)</code></pre>""")]
    private static partial Regex Snippet();

    /// <summary>The snippets (title, commands) of Distribution default/<paramref name="distribution"/>, in page order.</summary>
    public static async Task<IReadOnlyList<(string Title, string Commands)>> ForAsync(PackyardProcess packyard, string distribution)
    {
        var html = await packyard.Http.GetStringAsync("");
        var start = html.IndexOf($"<article class=\"card distribution\" id=\"distribution-default-{distribution}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no card for Distribution {distribution} on the status page:\n{html}");
        var card = html[start..html.IndexOf("</article>", start, StringComparison.Ordinal)];
        return [.. Snippet().Matches(card).Select(m => (WebUtility.HtmlDecode(m.Groups["title"].Value), WebUtility.HtmlDecode(m.Groups["code"].Value)))];
    }

    /// <summary>The commands of the snippet whose title starts with <paramref name="title"/>.</summary>
    public static async Task<string> CommandsAsync(PackyardProcess packyard, string distribution, string title)
    {
        var snippets = await ForAsync(packyard, distribution);
        var found = snippets.FirstOrDefault(s => s.Title.StartsWith(title, StringComparison.Ordinal));
        Assert.True(found.Commands is not null, $"no snippet '{title}' for {distribution}: {string.Join(" | ", snippets.Select(s => s.Title))}");
        return found.Commands;
    }

    /// <summary>Runs <paramref name="script"/> (bash, -e) as root in the private namespace; returns its output.</summary>
    public static async Task<string> RunIsolatedAsync(string script, string workingDirectory)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.Write("run.sh", $"""
            set -euo pipefail
            layers=$(mktemp -d)
            mount -t tmpfs tmpfs "$layers"
            for top in etc var; do
              mkdir "$layers/$top-upper" "$layers/$top-work"
              mount -t overlay overlay -o "lowerdir=/$top,upperdir=$layers/$top-upper,workdir=$layers/$top-work" "/$top"
            done
            rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
            mkdir -p /etc/apt/keyrings /etc/yum.repos.d
            cd {workingDirectory}
            {script}
            """);
        return await ProcessRunner.RunAsync("unshare", ["--mount", "--propagation", "private", "bash", path], workingDirectory);
    }
}
