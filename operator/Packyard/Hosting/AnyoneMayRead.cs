using Microsoft.AspNetCore.Http;

namespace Packyard.Hosting;

/// <summary>Standalone's read access: anyone who reaches it (it listens on 127.0.0.1 by default).</summary>
public sealed class AnyoneMayRead : IReadAuthorizer
{
    public Task<int> AuthorizeAsync(HttpContext http, string ns, CancellationToken cancellationToken) => Task.FromResult(StatusCodes.Status200OK);
}
