using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;

namespace Packyard.Controllers;

/// <summary>Turns a Remote and its Secrets into the engine's <see cref="RemoteSettings"/>.</summary>
public static class RemoteSettingsBuilder
{
    /// <summary>Throws <see cref="SecretReferenceException"/> or <see cref="FormatException"/> for what the user must fix.</summary>
    public static RemoteSettings Build(Remote remote, IResourceLookup lookup)
    {
        var ns = remote.Namespace;
        var spec = remote.Spec;
        if (!Uri.TryCreate(spec.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "file"))
        {
            throw new FormatException($"spec.url '{UrlSanitizer.Sanitize(spec.Url)}' is not an absolute http, https or file URL");
        }

        if (Manifests.RemoteSpecRules.Problems(spec) is [var problem, ..])
        {
            throw new FormatException(problem);
        }

        string? username = null, password = null, token = null;
        if (spec.AuthSecretRef is { } auth)
        {
            var entries = SecretResolver.Entries(lookup, ns, auth, "spec.authSecretRef");
            username = SecretResolver.OptionalText(entries, "username");
            password = SecretResolver.OptionalText(entries, "password");
            token = SecretResolver.OptionalText(entries, "token");
            if (token is null && (username is null || password is null))
            {
                throw new SecretReferenceException($"spec.authSecretRef: Secret {ns}/{auth.Name} needs keys username and password, or token");
            }
        }

        string? proxyUser = null, proxyPassword = null;
        if (spec.Proxy?.AuthSecretRef is { } proxyAuth)
        {
            var entries = SecretResolver.Entries(lookup, ns, proxyAuth, "spec.proxy.authSecretRef");
            proxyUser = SecretResolver.OptionalText(entries, "username");
            proxyPassword = SecretResolver.OptionalText(entries, "password");
        }

        string? clientCert = null, clientKey = null;
        if (spec.Tls?.ClientCertSecretRef is { } certRef)
        {
            var entries = SecretResolver.Entries(lookup, ns, certRef, "spec.tls.clientCertSecretRef");
            clientCert = SecretResolver.OptionalText(entries, "tls.crt")
                ?? throw new SecretReferenceException($"spec.tls.clientCertSecretRef: Secret {ns}/{certRef.Name} has no key tls.crt");
            clientKey = SecretResolver.OptionalText(entries, "tls.key")
                ?? throw new SecretReferenceException($"spec.tls.clientCertSecretRef: Secret {ns}/{certRef.Name} has no key tls.key");
            CheckClientCertificate(clientCert, clientKey, $"spec.tls.clientCertSecretRef: Secret {ns}/{certRef.Name}");
        }

        var caBundle = spec.Tls?.CaSecretRef is { } ca ? SecretResolver.Text(lookup, ns, ca, "spec.tls.caSecretRef") : null;
        if (caBundle is not null)
        {
            CheckCaBundle(caBundle, $"spec.tls.caSecretRef: Secret {ns}/{spec.Tls!.CaSecretRef!.Name}");
        }

        return new RemoteSettings
        {
            Namespace = ns,
            Name = remote.Name,
            Type = spec.Type.ToName(),
            BaseUrl = UpstreamPaths.AsBase(url),
            Policy = spec.Policy,
            Concurrency = spec.DownloadConcurrency,
            RateLimit = spec.RateLimit,
            Timeout = GoDuration.Parse(spec.Timeout),
            Username = username,
            Password = password,
            Token = token,
            CaCertificatePem = caBundle,
            ClientCertificatePem = clientCert,
            ClientKeyPem = clientKey,
            InsecureSkipVerify = spec.Tls?.InsecureSkipVerify ?? false,
            ProxyUrl = spec.Proxy?.Url,
            ProxyUsername = proxyUser,
            ProxyPassword = proxyPassword,
            TypeOptions = spec.TypeOptions(),
            VerificationKeys = spec.TypeOptions() is ISignedRemoteOptions { SigningKeySecretRef: { } key }
                ? SecretResolver.Value(lookup, ns, key, $"spec.{spec.Type.ToName()}.signingKeySecretRef")
                : null,
        };
    }

    /// <summary>A client certificate and key that do not load stall the Remote here, not the process that downloads.</summary>
    private static void CheckClientCertificate(string certificate, string key, string site)
    {
        try
        {
            using var loaded = X509Certificate2.CreateFromPem(certificate, key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new SecretReferenceException($"{site}: tls.crt and tls.key are not a PEM certificate and its private key ({e.Message.TrimEnd('.')})", Reasons.InvalidSecret);
        }
    }

    private static void CheckCaBundle(string bundle, string site)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(bundle);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new SecretReferenceException($"{site}: the CA bundle is not PEM certificates ({e.Message.TrimEnd('.')})", Reasons.InvalidSecret);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }

        if (certificates.Count == 0)
        {
            throw new SecretReferenceException($"{site}: the CA bundle holds no PEM certificate", Reasons.InvalidSecret);
        }
    }
}
