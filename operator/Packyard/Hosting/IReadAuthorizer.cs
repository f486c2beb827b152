using Microsoft.AspNetCore.Http;

namespace Packyard.Hosting;

/// <summary>
/// Who may read what only the engine knows (<see cref="ReadEndpoints"/>): versions, diffs and tasks of a namespace's
/// repositories. Standalone allows every caller (it serves on 127.0.0.1, as <c>/api/v1/resources</c>); operator mode asks the
/// API server whether the bearer token's user may <c>get repositories</c> in that namespace.
/// </summary>
public interface IReadAuthorizer
{
    /// <summary>200 when allowed, 401 without valid credentials, 403 when not allowed, 503 when it cannot be decided.</summary>
    Task<int> AuthorizeAsync(HttpContext http, string ns, CancellationToken cancellationToken);
}
