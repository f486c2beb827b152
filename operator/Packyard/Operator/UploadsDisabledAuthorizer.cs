using Microsoft.AspNetCore.Http;
using Packyard.Server;

namespace Packyard.Operator;

/// <summary>Operator mode without <c>--upload-token</c>: every upload is refused with 403 (no TokenReview authorizer yet).</summary>
public sealed class UploadsDisabledAuthorizer : IUploadAuthorizer
{
    public Task<int> AuthorizeAsync(HttpContext http, string ns, string repository, CancellationToken cancellationToken) =>
        Task.FromResult(StatusCodes.Status403Forbidden);
}
