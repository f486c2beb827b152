using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Packyard.Server;

namespace Packyard.Standalone;

/// <summary>
/// Standalone uploads: <c>Authorization: Bearer TOKEN</c>, or basic auth with the token as password (as twine
/// sends it, e.g. user <c>__token__</c>).
/// </summary>
public sealed class StaticTokenUploadAuthorizer(string token) : IUploadAuthorizer
{
    private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public Task<int> AuthorizeAsync(HttpContext http, string ns, string repository, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        string? presented = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header[7..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                presented = decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                presented = "";
            }
        }

        // No token, or basic auth with an empty password (what skopeo and podman send when given no credentials): ask for them.
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(StatusCodes.Status401Unauthorized);
        }

        var matches = CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
        return Task.FromResult(matches ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden);
    }
}
