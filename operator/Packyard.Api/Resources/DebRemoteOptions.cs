using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Remote's <c>spec.deb</c> block. A distribution ending in '/' is a flat repository (no dists/).</summary>
public sealed class DebRemoteOptions : RemoteTypeOptions, ISignedRemoteOptions
{
    public List<string>? Distributions { get; set; }
    public List<string>? Components { get; set; }
    public List<string>? Architectures { get; set; }
    public bool Sources { get; set; }

    [Description("Secret with the OpenPGP public key(s) that must have signed the upstream Release.")]
    public SecretReference? SigningKeySecretRef { get; set; }
}
