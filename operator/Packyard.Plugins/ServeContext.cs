using Microsoft.AspNetCore.Http;

namespace Packyard.Plugins;

/// <summary>A request for a path inside a distribution, for type-specific routes.</summary>
public abstract class ServeContext
{
    public abstract HttpContext Http { get; }

    /// <summary>The distribution's base path, without slashes around it.</summary>
    public abstract string BasePath { get; }

    public abstract long RepositoryVersion { get; }

    /// <summary>Serves a published file or pass-through artifact of this publication; false when there is none.</summary>
    public abstract Task<bool> ServeFileAsync(string relativePath, CancellationToken cancellationToken);

    /// <summary>Opens a published metadata file of this publication for reading (to derive a response from it); null when absent.</summary>
    public virtual Task<Stream?> OpenPublishedFileAsync(string relativePath, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    /// <summary>
    /// Pull-through: when the distribution has <c>spec.pullThrough</c>, syncs content named <paramref name="name"/> from
    /// that remote into the repository (Merge; concurrent requests are batched into one version), publishes, and answers
    /// this request again from the new publication. False when there is no pull-through remote, the request already
    /// pulled through once, or the remote could not provide the content.
    /// </summary>
    public virtual Task<bool> PullThroughAsync(string name, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>The Remote of the distribution's <c>spec.pullThrough</c> (credentials included: never log it), or null when it has none.</summary>
    public virtual Task<RemoteSettings?> PullThroughRemoteAsync(CancellationToken cancellationToken) => Task.FromResult<RemoteSettings?>(null);

    /// <summary><c>spec.pullThrough.tagTTL</c>: how long a mutable name fetched through is served before it is checked upstream again; null for the default.</summary>
    public virtual TimeSpan? PullThroughTagTtl => null;
}
