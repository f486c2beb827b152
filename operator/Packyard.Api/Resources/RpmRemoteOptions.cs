using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Remote's <c>spec.rpm</c> block: <c>skipTypes</c> may hold "srpm" (source packages are skipped).</summary>
public sealed class RpmRemoteOptions : RemoteTypeOptions, ISignedRemoteOptions
{
    public List<string>? SkipTypes { get; set; }

    [Description("Secret with the OpenPGP public key(s) that must have signed repomd.xml.")]
    public SecretReference? SigningKeySecretRef { get; set; }
}
