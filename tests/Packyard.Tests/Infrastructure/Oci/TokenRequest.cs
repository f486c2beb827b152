namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// One request to a <see cref="BearerTokenServer"/>: who asked (null = anonymous, never the password), for which service and
/// scopes (<c>repository:NAME:pull,push</c>), what was granted, and the HTTP status answered (200 or 401).
/// </summary>
public sealed record TokenRequest(string? User, string? Service, IReadOnlyList<string> Scopes, IReadOnlyList<string> Granted, int Status);
