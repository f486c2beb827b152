namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// One request a <see cref="ReferenceRegistry"/> answered through its counting proxy: method, path (<c>/v2/NAME/blobs/DIGEST</c>),
/// query, status, and the Authorization scheme sent (<c>Bearer</c>, <c>Basic</c> or null; never the credential).
/// </summary>
public sealed record RegistryRequest(string Method, string Path, string Query, int Status, string? AuthorizationScheme);
