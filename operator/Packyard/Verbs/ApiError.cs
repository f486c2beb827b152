namespace Packyard.Verbs;

/// <summary>The body of an error answer of the <c>/api/v1</c> read and action endpoints.</summary>
public sealed record ApiError(string Error);
