using System.Runtime.CompilerServices;
using System.Text.Json;
using Packyard.Api.Resources;
using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>
/// Reads a PEP 503 / PEP 691 simple index: the projects named by <c>includes</c>, or every project of the root index,
/// and declares one unit per selected file. Project pages are fetched ahead, several at a time (the remote's
/// concurrency), and declared in order.
/// </summary>
internal sealed class PythonSyncSource : ISyncSource
{
    public async IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = context.Remote.TypeOptions as PythonRemoteOptions;
        var filter = PythonFilter.Create(options);
        var index = IndexUrl(context.Remote.BaseUrl);
        // Pull-through asks for named projects only; they are still subject to the remote's includes and excludes.
        var fromIncludes = filter.IncludedProjects is not null || context.Names is not null;
        var projects = context.Names is { } names
            ? names.Select(ProjectName.Normalize).Distinct(StringComparer.Ordinal).Where(p => filter.IncludedProjects?.Contains(p) ?? true).ToList()
            : filter.IncludedProjects ?? await ReadRootAsync(context, index, cancellationToken);

        var ahead = new Queue<Task<List<DeclaredContent>>>();
        var window = Math.Max(2, context.Remote.Concurrency * 2);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var next = 0;
            while (next < projects.Count || ahead.Count > 0)
            {
                while (next < projects.Count && ahead.Count < window)
                {
                    var project = projects[next++];
                    if (!filter.ExcludesProject(project))
                    {
                        ahead.Enqueue(ReadProjectAsync(context, index, project, filter, fromIncludes, stop.Token));
                    }
                }

                if (ahead.Count == 0)
                {
                    continue;
                }

                foreach (var unit in await ahead.Dequeue())
                {
                    yield return unit;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var pending in ahead)
            {
                try
                {
                    await pending;
                }
                catch (Exception)
                {
                    // The sync already failed or stopped; the first error is the one reported.
                }
            }
        }
    }

    /// <summary>The simple index URL: the remote URL itself when it ends in <c>simple/</c>, otherwise <c>URL/simple/</c>.</summary>
    internal static Uri IndexUrl(Uri baseUrl) =>
        baseUrl.AbsolutePath.EndsWith("/simple/", StringComparison.Ordinal) || baseUrl.AbsolutePath == "/simple/"
            ? baseUrl
            : new Uri(baseUrl, "simple/");

    private static async Task<List<string>> ReadRootAsync(SyncContext context, Uri index, CancellationToken cancellationToken)
    {
        await using var response = await context.Upstream.TryOpenAsync(index, PythonContentType.PipAccept, cancellationToken)
            ?? throw new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(index.ToString())}: the simple index was not found (404); check the Remote's url");
        var page = await SimpleIndexParser.ReadBoundedAsync(response.Body, context.Limits.MaxMetadataBytes, "simple/", cancellationToken);
        var names = SimpleIndexParser.ParseRoot(page, SimpleIndexParser.IsJson(response.ContentType), "simple/");
        var projects = new List<string>(names.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!ProjectName.IsValid(name))
            {
                throw new InvalidUpstreamMetadataException($"simple/: '{Truncate(name)}' is not a valid project name");
            }

            if (seen.Add(ProjectName.Normalize(name)))
            {
                projects.Add(ProjectName.Normalize(name));
            }
        }

        return projects;
    }

    private static async Task<List<DeclaredContent>> ReadProjectAsync(SyncContext context, Uri index, string project, PythonFilter filter,
        bool fromIncludes, CancellationToken cancellationToken)
    {
        var pageName = $"simple/{project}/";
        var pageUrl = new Uri(index, project + "/");
        List<IndexFile> files;
        await using (var response = await context.Upstream.TryOpenAsync(pageUrl, PythonContentType.PipAccept, cancellationToken))
        {
            if (response is null)
            {
                return fromIncludes
                    ? throw new UpstreamUnavailableException($"project '{project}' (from spec.python.includes) is not on the upstream index: {UrlSanitizer.Sanitize(pageUrl.ToString())} was not found")
                    : [];
            }

            var page = await SimpleIndexParser.ReadBoundedAsync(response.Body, Math.Min(context.Limits.MaxMetadataBytes, PythonContentType.MaxProjectPageBytes), pageName, cancellationToken);
            files = SimpleIndexParser.ParseProject(page, SimpleIndexParser.IsJson(response.ContentType), pageUrl, pageName, context.Remote.BaseUrl);
        }

        // Files without a sha256 cannot be verified, and other package types (eggs, installers) are not mirrored.
        var candidates = new List<(IndexFile File, DistributionFileName Parsed)>();
        foreach (var file in files)
        {
            if (file.Sha256 is not null && DistributionFileName.TryParse(file.FileName, project, out _) is { } parsed && parsed.Project == project)
            {
                candidates.Add((file, parsed));
            }
        }

        return filter.Select(project, candidates, c => c.Parsed).Select(c => Declare(c.File, c.Parsed)).ToList();
    }

    private static DeclaredContent Declare(IndexFile file, DistributionFileName parsed)
    {
        var metadata = new PythonFileMetadata(file.FileName, parsed.Project, parsed.Version.Normalized, parsed.PackageType, file.RequiresPython,
            file.Yanked, file.YankedReason, file.CoreMetadataSha256, file.Size, Summary: null);
        var path = PythonContentType.PackagePath(file.FileName);
        List<DeclaredArtifact> artifacts = [new(path, file.Sha256!, file.Size, file.Url)];
        if (file.CoreMetadataSha256 is { } coreSha)
        {
            artifacts.Add(new DeclaredArtifact(path + ".metadata", coreSha, null, new Uri(file.Url + ".metadata")));
        }

        return new DeclaredContent(
            PythonContentType.NaturalKey(file.FileName, file.Sha256!),
            file.FileName,
            parsed.Project,
            parsed.Version.Normalized,
            JsonSerializer.Serialize(metadata, PythonJsonContext.Default.PythonFileMetadata),
            artifacts);
    }

    private static string Truncate(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
