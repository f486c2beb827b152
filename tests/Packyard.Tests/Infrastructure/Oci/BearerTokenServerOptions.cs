namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>Who may get a token from a <see cref="BearerTokenServer"/> and for how long it is valid.</summary>
public sealed class BearerTokenServerOptions
{
    /// <summary>User → password accepted as Basic credentials (or the OAuth2 password grant); they get every action they ask for.</summary>
    public Dictionary<string, string> Users { get; init; } = new(StringComparer.Ordinal) { ["tester"] = "tester-password" };

    /// <summary>When true, a request without credentials gets a token granting <c>pull</c> only (Docker Hub's anonymous pulls); else 401.</summary>
    public bool AnonymousPull { get; init; }

    /// <summary>The token's <c>expires_in</c>; the registry allows 60 s of leeway past it.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The <c>service</c> the registry announces and the tokens' audience.</summary>
    public string Service { get; init; } = "packyard-test-registry";

    /// <summary>The tokens' issuer, which the registry must be configured to trust.</summary>
    public string Issuer { get; init; } = "packyard-test-token-server";
}
