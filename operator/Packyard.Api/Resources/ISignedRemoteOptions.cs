namespace Packyard.Api.Resources;

/// <summary>A Remote type block whose upstream metadata is signed: the Secret holding the OpenPGP public key(s) that must have signed it.</summary>
public interface ISignedRemoteOptions
{
    SecretReference? SigningKeySecretRef { get; }
}
