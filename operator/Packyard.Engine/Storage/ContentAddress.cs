using System.Buffers;

namespace Packyard.Engine.Storage;

/// <summary>Validation and layout of sha256 object names.</summary>
internal static class ContentAddress
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Length of a hex sha256.</summary>
    public const int Length = 64;

    public static bool IsValid(string? sha256) =>
        sha256 is { Length: Length } && !sha256.AsSpan().ContainsAnyExcept(HexDigits);

    /// <summary>Returns the lower-case form of <paramref name="sha256"/>, or throws when it is not 64 hex digits.</summary>
    public static string Normalize(string sha256, string paramName)
    {
        ArgumentNullException.ThrowIfNull(sha256, paramName);
        if (!IsValid(sha256))
        {
            throw new ArgumentException($"'{Truncate(sha256)}' is not a sha256 (64 hex digits).", paramName);
        }

        return sha256.ToLowerInvariant();
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "…");
}
