using System.Security.Cryptography;

namespace Packyard.Content.Container;

/// <summary>
/// OCI digests (<c>algorithm:encoded</c>). Packyard stores content by sha256, so only <c>sha256:</c> with 64 lower-case hex
/// characters is accepted; any other algorithm (sha512, blake3) is refused with a message saying so.
/// </summary>
internal static class OciDigest
{
    public const string Prefix = "sha256:";

    /// <summary>Null when <paramref name="digest"/> is a sha256 digest Packyard can store, otherwise why not.</summary>
    public static string? Problem(string? digest)
    {
        if (string.IsNullOrEmpty(digest))
        {
            return "the digest is missing";
        }

        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == digest.Length - 1 || digest.Length > 256)
        {
            return $"'{Shorten(digest)}' is not a digest (algorithm:hex)";
        }

        if (!digest.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"digest algorithm '{Shorten(digest[..colon])}' is not supported: Packyard stores content by sha256";
        }

        var hex = digest.AsSpan(Prefix.Length);
        if (hex.Length != 64 || !IsLowerHex(hex))
        {
            return $"'{Shorten(digest)}' is not a sha256 digest (64 lower-case hexadecimal characters)";
        }

        return null;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> hex)
    {
        foreach (var c in hex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValid(string? digest) => Problem(digest) is null;

    /// <summary>The hex part of a valid digest: the artifact's sha256.</summary>
    public static string Hex(string digest) => digest[Prefix.Length..];

    public static string Of(ReadOnlySpan<byte> content) => Prefix + Convert.ToHexStringLower(SHA256.HashData(content));

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
