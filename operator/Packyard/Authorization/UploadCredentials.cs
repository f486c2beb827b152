using System.Text;
using Microsoft.AspNetCore.Http;

namespace Packyard.Authorization;

/// <summary>
/// The bearer token of an upload request: <c>Authorization: Bearer TOKEN</c>, or basic auth with the user name
/// <c>token</c> (or <c>__token__</c>, what twine and pip users type for PyPI tokens) and the token as password.
/// </summary>
public static class UploadCredentials
{
    /// <summary>The basic-auth user names that mean "the password is a bearer token".</summary>
    public static IReadOnlyList<string> TokenUserNames { get; } = ["token", "__token__"];

    /// <summary>The token, or null when the request carries none (or basic auth with another user name).</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim() is { Length: > 0 } token ? token : null;
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && TokenUserNames.Contains(decoded[..colon]) && decoded.Length > colon + 1 ? decoded[(colon + 1)..] : null;
    }
}
