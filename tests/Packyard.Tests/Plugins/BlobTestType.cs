using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace Packyard.Tests.Plugins;

/// <summary>
/// A content type made for tests, registered only in them: it claims the <c>v2</c> first segment as the OCI registry type
/// will, takes raw request bodies (not forms), and promotes by <c>name&gt;=version</c> through its selector.
/// Routes: <c>GET /v2/</c> answers the API check; <c>PUT /v2/&lt;repository&gt;/blobs?name=…&amp;version=…</c> uploads the body;
/// <c>GET /v2/&lt;base path&gt;/blobs/&lt;file&gt;</c> serves a distribution's file.
/// </summary>
internal static class BlobTestType
{
    public const string Name = "blob-test";

    /// <summary>Every upload the parser saw, for assertions (the fixture's two providers share it).</summary>
    public static ConcurrentQueue<(string FileName, UploadBodies Body, string? MediaType)> Parsed { get; } = new();

    public static ContentTypePlugin Plugin { get; } = new(Name, new NoSource(), new RawParser(), new IndexPublisher(), Routes: null,
        Selector: new AtLeastSelector(), RootRoutes: new RegistryRoutes());

    private sealed class NoSource : ISyncSource
    {
        public async IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }

    private sealed class RawParser : IUploadParser
    {
        public UploadBodies Accepts => UploadBodies.Raw;

        public Task<DeclaredContent> ParseAsync(UploadContext context, CancellationToken cancellationToken)
        {
            Parsed.Enqueue((context.FileName, context.Body, context.MediaType));
            var name = context.Fields.GetValueOrDefault("name", context.FileName);
            var version = context.Fields.GetValueOrDefault("version", "0");
            var path = $"blobs/{name}-{version}";
            return Task.FromResult(new DeclaredContent($"{name}-{version}-{context.Artifact.Sha256}", path, name, version, "{}",
                [new DeclaredArtifact(path, context.Artifact.Sha256, context.Artifact.Size, Url: null)]));
        }
    }

    private sealed class IndexPublisher : IPublisher
    {
        public bool PassThrough => true;

        public Task PublishAsync(PublishContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary><c>name&gt;=N</c> selects units of that name with a version of at least N (compared as numbers).</summary>
    private sealed class AtLeastSelector : IContentSelector
    {
        public bool Matches(string selector, string name, string? version)
        {
            var parts = selector.Split(">=");
            return parts.Length == 2
                ? parts[0] == name && int.Parse(version ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)
                : selector == name;
        }
    }

    private sealed class RegistryRoutes : IRootRoutes
    {
        public IReadOnlyList<string> FirstSegments { get; } = ["v2"];

        public async Task<bool> TryServeAsync(RootRouteContext context, CancellationToken cancellationToken)
        {
            var segments = context.Path.TrimEnd('/').Split('/');
            if (segments is ["v2"] or ["V2"])
            {
                context.Http.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
                await context.Http.Response.WriteAsync("{}", cancellationToken);
                return true;
            }

            if (segments is [_, _, .., "blobs", _] && HttpMethods.IsGet(context.Http.Request.Method))
            {
                await context.ServeDistributionPathAsync(string.Join('/', segments[1..]), cancellationToken);
                return true;
            }

            if (segments is [_, var repository, "blobs"] && HttpMethods.IsPut(context.Http.Request.Method))
            {
                var query = context.Http.Request.Query;
                await context.UploadAsync("default", repository, "blob",
                    new Dictionary<string, string> { ["name"] = query["name"].ToString(), ["version"] = query["version"].ToString() }, cancellationToken);
                return true;
            }

            return false;
        }
    }
}
