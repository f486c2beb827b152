namespace Packyard.ControllerRuntime;

/// <summary>Query parameters of a patch.</summary>
public sealed record PatchOptions
{
    /// <summary>Required for server-side apply.</summary>
    public string? FieldManager { get; init; }

    /// <summary>Server-side apply: take ownership of fields managed by others.</summary>
    public bool? Force { get; init; }

    /// <summary><c>Strict</c>, <c>Warn</c> or <c>Ignore</c>.</summary>
    public string? FieldValidation { get; init; }
}
