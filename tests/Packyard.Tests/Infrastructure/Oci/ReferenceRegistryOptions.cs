namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>How a <see cref="ReferenceRegistry"/> is configured: anonymous, behind a token server, or as a pull-through cache.</summary>
public sealed class ReferenceRegistryOptions
{
    /// <summary>When set, the registry requires Bearer tokens from this server (<c>auth: token</c>); else it is anonymous.</summary>
    public BearerTokenServer? TokenServer { get; init; }

    /// <summary>When set, the registry is a pull-through cache of this one upstream (<c>proxy: remoteurl</c>); pushes are refused.</summary>
    public Uri? ProxyRemoteUrl { get; init; }

    /// <summary>Credentials the pull-through cache presents to <see cref="ProxyRemoteUrl"/> (Basic, or at its token realm).</summary>
    public string? ProxyUsername { get; init; }

    public string? ProxyPassword { get; init; }

    /// <summary>
    /// True (default): clients talk to a counting reverse proxy on 127.0.0.1 that records every request
    /// (<see cref="ReferenceRegistry.Requests"/>). False: <see cref="ReferenceRegistry.Address"/> is the registry itself, for the
    /// benchmark, where a proxy hop would handicap the reference.
    /// </summary>
    public bool CountRequests { get; init; } = true;

    /// <summary>The storage root; a temporary directory (deleted on dispose) when null.</summary>
    public string? StorageDirectory { get; init; }
}
