using System.Globalization;
using System.Text;
using Packyard.Tests.Kubernetes;

namespace Packyard.Tests.Infrastructure;

/// <summary>
/// A PULP_MANIFEST upstream over HTTP with a delay on every request, one folder per repository, for syncs slow enough to
/// watch, kill and overlap (the Remotes download one file at a time).
/// </summary>
public sealed class SlowUpstream : IAsyncDisposable
{
    private readonly TemporaryDirectory root;

    private SlowUpstream(TemporaryDirectory root, HttpUpstream upstream, IReadOnlyList<string> fileNames)
    {
        this.root = root;
        Upstream = upstream;
        FileNames = fileNames;
    }

    public HttpUpstream Upstream { get; }

    public IReadOnlyList<string> FileNames { get; }

    public static async Task<SlowUpstream> StartAsync(int files, TimeSpan delay, int folders = 1)
    {
        var root = new TemporaryDirectory();
        var names = Enumerable.Range(1, files).Select(i => $"file{i}.txt").ToList();
        foreach (var folder in new[] { "slow" }.Concat(Enumerable.Range(1, folders).Select(i => $"slow{i}")))
        {
            var manifest = new StringBuilder();
            foreach (var name in names)
            {
                var content = Encoding.UTF8.GetBytes(Content(folder, name));
                Directory.CreateDirectory(Path.Combine(root.Path, folder));
                await File.WriteAllBytesAsync(Path.Combine(root.Path, folder, name), content);
                manifest.Append(CultureInfo.InvariantCulture, $"{name},{FileUpstream.Sha256(content)},{content.Length}\n");
            }

            await File.WriteAllTextAsync(Path.Combine(root.Path, folder, "PULP_MANIFEST"), manifest.ToString());
        }

        var upstream = await HttpUpstream.StartAsync(root.Path);
        upstream.Delay = delay;
        return new SlowUpstream(root, upstream, names);
    }

    public static string Content(string folder, string name) => $"content of {folder}/{name}\n";

    /// <summary>Artifact downloads from the folder of <paramref name="name"/> (the manifest not counted).</summary>
    public int Downloads(string name) => FileNames.Sum(f => Upstream.RequestsFor($"{name}/{f}"));

    /// <summary>The URL of the folder <paramref name="name"/> (a Remote's <c>spec.url</c>).</summary>
    public Uri UrlOf(string name) => new(Upstream.Url, name + "/");

    /// <summary>Applies <see cref="Manifests"/> for each of <paramref name="names"/> with kubectl, into its default namespace.</summary>
    public async Task ApplyAsync(Kubectl kubectl, params string[] names)
    {
        var file = Path.Combine(root.Path, $"apply-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, string.Join("---\n", names.Select(Manifests)));
        await kubectl.SucceedAsync("apply", "-f", file);
    }

    /// <summary>A Remote (one download at a time), Repository and Distribution named <paramref name="name"/>.</summary>
    private string Manifests(string name) => $$$"""
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: {{{name}}}}
        spec: {type: file, url: "{{{UrlOf(name)}}}", policy: Immediate, downloadConcurrency: 1}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: {{{name}}}}
        spec: {type: file, remoteRef: {name: {{{name}}}}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: {{{name}}}}
        spec: {basePath: files/{{{name}}}, repositoryRef: {name: {{{name}}}}}

        """;

    public async ValueTask DisposeAsync()
    {
        await Upstream.DisposeAsync();
        root.Dispose();
    }
}
