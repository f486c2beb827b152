using Microsoft.AspNetCore.Http;

namespace Packyard.Plugins;

/// <summary>A request under a first path segment a content type claimed (<see cref="IRootRoutes"/>).</summary>
public abstract class RootRouteContext
{
    public abstract HttpContext Http { get; }

    /// <summary>The request path without its leading slash, e.g. <c>v2/library/app/blobs/uploads/</c>.</summary>
    public abstract string Path { get; }

    /// <summary>
    /// Answers with <paramref name="distributionPath"/> (a distribution's base path and a path inside it, e.g.
    /// <c>library/app/blobs/sha256:…</c>) as the content app serves it there: content guard, checkpoints, the type's
    /// <see cref="IContentRoutes"/>, published files, pull-through; 404 when no distribution matches. The response has been
    /// written when this returns.
    /// </summary>
    public abstract Task ServeDistributionPathAsync(string distributionPath, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ServeDistributionPathAsync(string, CancellationToken)"/>, with the server's own refusals (no matching
    /// distribution, content guard, method, upstream or store failures) written by <paramref name="errors"/> in the type's format.
    /// </summary>
    public virtual Task ServeDistributionPathAsync(string distributionPath, ErrorResponder errors, CancellationToken cancellationToken) =>
        ServeDistributionPathAsync(distributionPath, cancellationToken);

    /// <summary>
    /// The distributions of content type <paramref name="type"/> with a pull-through Remote, for routing a request by the upstream
    /// registry it names (containerd's <c>?ns=</c>).
    /// </summary>
    public virtual Task<IReadOnlyList<PullThroughTarget>> PullThroughTargetsAsync(string type, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PullThroughTarget>>([]);

    /// <summary>
    /// Streams the request body into repository <paramref name="ns"/>/<paramref name="repository"/> as an upload
    /// (<see cref="UploadBodies.Raw"/>), authorized, refused and answered exactly as the upload API answers it; the type's
    /// <see cref="IUploadParser"/> describes the stored body. The response has been written when this returns.
    /// </summary>
    public abstract Task UploadAsync(string ns, string repository, string fileName, IReadOnlyDictionary<string, string> fields,
        CancellationToken cancellationToken);

    /// <summary>
    /// The repository that the distribution at exactly <paramref name="basePath"/> serves, as a <see cref="PushTarget"/>, when
    /// this request may upload into it: authorized and checked as the upload API checks an upload (credentials, the
    /// Repository's <c>spec.uploads.enabled</c>, a Mirror sync refusing uploads). Otherwise null, with the refusal written by
    /// <paramref name="errors"/> (401 with a <c>Basic</c> challenge when no credentials were sent, 403, 404, 405).
    /// </summary>
    public virtual async Task<PushTarget?> OpenPushAsync(string basePath, ErrorResponder errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(errors);
        await errors(Http, 405, "this server does not accept pushes").ConfigureAwait(false);
        return null;
    }
}
