namespace Packyard.StatusPage;

/// <summary>
/// One resource for the status page: its kind, name, the typed object (Remote, Repository, Distribution or Promotion, with its
/// status) and, standalone, the manifest's validation errors.
/// </summary>
public sealed record PageResource(string Kind, string Namespace, string Name, object Resource, string? Error = null);
