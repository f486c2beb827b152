using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>A secret reference found in a resource: its field path, the reference and how the Secret is used.</summary>
internal sealed record SecretReferenceSite(string Path, SecretReference Reference, SecretUse Use)
{
    /// <summary>Every secret reference a resource holds.</summary>
    public static IEnumerable<SecretReferenceSite> Find(object resource)
    {
        (string Path, SecretReference? Reference, SecretUse Use)[] sites = resource switch
        {
            Remote { Spec: var spec } =>
            [
                ("spec.authSecretRef", spec.AuthSecretRef, SecretUse.Credentials),
                ("spec.tls.caSecretRef", spec.Tls?.CaSecretRef, SecretUse.SingleValue),
                ("spec.tls.clientCertSecretRef", spec.Tls?.ClientCertSecretRef, SecretUse.ClientCertificate),
                ("spec.proxy.authSecretRef", spec.Proxy?.AuthSecretRef, SecretUse.Credentials),
                .. spec.TypeBlocks().Select(b =>
                    ($"spec.{b.Type.ToName()}.signingKeySecretRef", (b.Block as ISignedRemoteOptions)?.SigningKeySecretRef, SecretUse.SingleValue)),
            ],
            Repository { Spec: var spec } =>
            [
                ("spec.publish.signingKeySecretRef", spec.Publish?.SigningKeySecretRef, SecretUse.SingleValue),
            ],
            Distribution { Spec: var spec } =>
            [
                ("spec.contentGuard.basicAuthSecretRef", spec.ContentGuard?.BasicAuthSecretRef, SecretUse.EntryList),
                ("spec.contentGuard.tokenSecretRef", spec.ContentGuard?.TokenSecretRef, SecretUse.EntryList),
            ],
            _ => [],
        };

        foreach (var (path, reference, use) in sites)
        {
            if (reference is not null)
            {
                yield return new SecretReferenceSite(path, reference, use);
            }
        }
    }
}
