namespace Packyard.Api.Resources;

/// <summary>Regular expressions shared by the schema and the engine.</summary>
public static class Patterns
{
    /// <summary>Go-style duration: one or more number+unit pairs (ms, s, m, h).</summary>
    public const string Duration = @"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";

    /// <summary>http(s) URL.</summary>
    public const string HttpUrl = @"^https?://[^\s]+$";

    /// <summary>http(s) or file URL; <c>file:relative/path</c> is allowed for standalone mode.</summary>
    public const string RemoteUrl = @"^(https?://[^\s]+|file:[^\s]+)$";

    /// <summary>One or more lower-case path segments separated by '/', no leading or trailing slash.</summary>
    public const string BasePath = @"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$";
}
