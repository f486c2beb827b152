using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Packyard.Api.Resources;
using Packyard.Plugins;

namespace Packyard.Engine.Publishing;

/// <summary>
/// A digest of what a publication is made with besides the version's content: the type's publish block (as the one type-options
/// serialiser writes it) and the signing key. The controller compares it with the fingerprint stored on the publication
/// (<c>publications.options_fingerprint</c>) to tell that <c>spec.publish</c> changed and the served version must be published
/// again. Only a digest of the key enters it, never the key.
/// </summary>
public static class PublishOptionsFingerprint
{
    public static string Of(PublishOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var typeOptions = options.TypeOptions is { } block ? JsonSerializer.Serialize(block, TypeOptionsJsonContext.Default.PublishTypeOptions) : "";
        var key = options.SigningKey is { } secret ? Convert.ToHexStringLower(SHA256.HashData(secret)) : "";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{typeOptions}\n{key}")));
    }

    /// <summary>
    /// Whether a publication recorded with <paramref name="recorded"/> is current for <paramref name="wanted"/> (null: any options
    /// will do); one made before fingerprints were recorded is.
    /// </summary>
    public static bool IsCurrent(string? recorded, string? wanted) => wanted is null || recorded is null || recorded == wanted;
}
