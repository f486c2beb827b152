namespace Packyard.Manifests;

/// <summary>What a secret reference expects of its Secret when it names no key.</summary>
internal enum SecretUse
{
    /// <summary>One value (a CA bundle, an OpenPGP key or keyring): the Secret must have exactly one entry.</summary>
    SingleValue,

    /// <summary>Upstream credentials: <c>username</c> and <c>password</c>, or <c>token</c>.</summary>
    Credentials,

    /// <summary>A client certificate: <c>tls.crt</c> and <c>tls.key</c>.</summary>
    ClientCertificate,

    /// <summary>A list of entries (readers' passwords or tokens): at least one entry.</summary>
    EntryList,
}
