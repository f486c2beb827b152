using System.Text.Json;
using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Secrets;

namespace Packyard.Engine.Catalog;

/// <summary>
/// Writes and reads <c>remotes.config</c>: the settings as JSON with every credential removed, plus <c>sealedSecrets</c>
/// holding them encrypted (<see cref="SecretCipher"/>), so a dump of the database reveals none. Rows written before
/// encryption (credentials in clear, no <c>sealedSecrets</c>) still read, and are sealed when the Remote is next saved.
/// </summary>
internal static class RemoteConfigCodec
{
    private const string SealedProperty = "sealedSecrets";

    /// <summary>The type block as JSON text, in rows written before it was typed (<see cref="RemoteSettings.TypeOptions"/>).</summary>
    private const string LegacyOptionsProperty = "optionsJson";

    public static string Encode(RemoteSettings remote, SecretCipher? cipher)
    {
        var secrets = new RemoteSecrets(remote.Username, remote.Password, remote.Token, remote.ClientKeyPem, remote.ProxyUsername,
            remote.ProxyPassword, remote.BaseUrl.UserInfo is { Length: > 0 } info ? info : null,
            remote.ProxyUrl is { } proxy && UserInfo(proxy) is not null ? proxy : null);
        var open = remote with
        {
            Username = null,
            Password = null,
            Token = null,
            ClientKeyPem = null,
            ProxyUsername = null,
            ProxyPassword = null,
            BaseUrl = WithoutUserInfo(remote.BaseUrl),
            ProxyUrl = remote.ProxyUrl is { } url ? UrlSanitizer.Sanitize(url) : null,
        };
        var node = JsonSerializer.SerializeToNode(open, EngineJsonContext.Default.RemoteSettings)!.AsObject();
        if (secrets != new RemoteSecrets(null, null, null, null, null, null, null, null))
        {
            if (cipher is null)
            {
                throw new InvalidOperationException($"Remote {remote.DisplayName} has credentials but no secret key is configured (--secret-key-file) to store them encrypted");
            }

            node[SealedProperty] = cipher.Seal(JsonSerializer.Serialize(secrets, EngineJsonContext.Default.RemoteSecrets));
        }

        return node.ToJsonString();
    }

    /// <exception cref="SecretKeyException">The credentials were sealed with another key.</exception>
    public static RemoteSettings Decode(string json, SecretCipher? cipher)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var sealedText = node[SealedProperty]?.GetValue<string>();
        node.Remove(SealedProperty);
        var remote = node.Deserialize(EngineJsonContext.Default.RemoteSettings)!;
        if (remote.TypeOptions is null && node[LegacyOptionsProperty]?.GetValue<string>() is { } optionsJson)
        {
            remote = remote with { TypeOptions = TypeOptionsJson.Read<RemoteTypeOptions>(remote.Type, optionsJson) };
        }

        if (sealedText is null)
        {
            return remote;
        }

        var what = $"Remote {remote.DisplayName}";
        var secrets = JsonSerializer.Deserialize(
            (cipher ?? throw new SecretKeyException($"the stored credentials of {what} are encrypted but no secret key is configured (--secret-key-file)"))
                .Open(sealedText, what),
            EngineJsonContext.Default.RemoteSecrets)!;
        return remote with
        {
            Username = secrets.Username,
            Password = secrets.Password,
            Token = secrets.Token,
            ClientKeyPem = secrets.ClientKeyPem,
            ProxyUsername = secrets.ProxyUsername,
            ProxyPassword = secrets.ProxyPassword,
            BaseUrl = secrets.BaseUrlUserInfo is { } info ? WithUserInfo(remote.BaseUrl, info) : remote.BaseUrl,
            ProxyUrl = secrets.ProxyUrl ?? remote.ProxyUrl,
        };
    }

    /// <summary>The URL without user-info (what <c>remotes.url</c> and other readable columns may hold).</summary>
    public static Uri WithoutUserInfo(Uri url) =>
        url.IsAbsoluteUri && url.UserInfo.Length > 0
            ? new Uri(url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped))
            : url;

    private static Uri WithUserInfo(Uri url, string userInfo) =>
        new($"{url.Scheme}://{userInfo}@{url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Scheme & ~UriComponents.UserInfo & ~UriComponents.KeepDelimiter, UriFormat.UriEscaped).TrimStart('/')}");

    private static string? UserInfo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? uri.UserInfo : null;
}
