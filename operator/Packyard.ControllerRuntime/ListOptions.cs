namespace Packyard.ControllerRuntime;

/// <summary>Query parameters of a list or watch.</summary>
public sealed record ListOptions
{
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }

    /// <summary>Page size; the response carries a continue token when more remain.</summary>
    public int? Limit { get; init; }

    public string? Continue { get; init; }
    public string? ResourceVersion { get; init; }

    /// <summary>Watch only: the server ends the watch after this many seconds (the client then reconnects).</summary>
    public int? TimeoutSeconds { get; init; }
}
