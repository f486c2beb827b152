namespace Packyard.Plugins;

/// <summary>Digest helpers.</summary>
public static class Digests
{
    /// <summary>True for 64 hexadecimal characters (either case).</summary>
    public static bool IsSha256(string value) => value.Length == 64 && value.All(Uri.IsHexDigit);
}
