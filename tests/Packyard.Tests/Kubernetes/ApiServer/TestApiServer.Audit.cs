namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>Questions tests ask of the request log (<see cref="TestApiServer.Requests"/>).</summary>
public sealed partial class TestApiServer
{
    /// <summary>The requests that arrived at or after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> RequestsSince(DateTimeOffset since) => Requests.Where(r => r.Time >= since).ToList();

    /// <summary>The writes (create, update, patch, delete) that arrived at or after <paramref name="since"/>.</summary>
    public IReadOnlyList<RecordedRequest> WritesSince(DateTimeOffset since) => Requests.Where(r => r.Time >= since && r.IsWrite).ToList();

    /// <summary>
    /// Request counts by <c>verb resource</c> (<c>patch repositories/status</c>, <c>watch remotes</c>; non-resource
    /// requests by <c>verb path</c>), for requests at or after <paramref name="since"/>.
    /// </summary>
    public IReadOnlyDictionary<string, int> RequestCounts(DateTimeOffset? since = null) =>
        Requests.Where(r => since is null || r.Time >= since)
            .GroupBy(r => r.Attributes is { IsResourceRequest: true } a ? $"{a.Verb} {a.ResourceWithSubresource}" : $"{r.Verb} {r.Attributes?.Path ?? r.PathAndQuery}", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
