namespace Packyard.Engine.Catalog;

/// <summary>
/// The credentials of a <see cref="Downloads.RemoteSettings"/>, sealed together in <c>remotes.config</c> (its
/// <c>sealedSecrets</c> entry) while the rest of the settings stay readable: passwords, tokens, the client key, the proxy's
/// credentials and the user-info of the base and proxy URLs.
/// </summary>
internal sealed record RemoteSecrets(
    string? Username, string? Password, string? Token, string? ClientKeyPem, string? ProxyUsername, string? ProxyPassword,
    string? BaseUrlUserInfo, string? ProxyUrl);
