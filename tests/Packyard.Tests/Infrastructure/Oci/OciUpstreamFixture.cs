using System.Text;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// A ready upstream for a test class (<c>IClassFixture&lt;OciUpstreamFixture&gt;</c>): two reference registries, one anonymous
/// (<see cref="Anonymous"/>) and one behind <see cref="Tokens"/> (<see cref="Protected"/>, user <see cref="Credentials"/>), each
/// holding the same standard content under the same names:
/// <list type="bullet">
/// <item><c>library/app:1.0</c> (<see cref="App"/>, 3 layers) and <c>library/app:2.0</c> (<see cref="App2"/>: 1.0's 3 layers plus one);</item>
/// <item>on <c>library/app:1.0</c>: an SBOM artifact (<see cref="Sbom"/>, <c>subject</c> = 1.0), its referrers-tag index
/// <c>sha256-&lt;hex&gt;</c> (<see cref="ReferrersIndex"/>) and a cosign signature <c>sha256-&lt;hex&gt;.sig</c> (<see cref="Signature"/>);</item>
/// <item><c>library/multi:1.0</c>: an OCI index over linux/amd64 and linux/arm64 (<see cref="Multi"/>);</item>
/// <item><c>library/docker:1.0</c>: a Docker schema 2 manifest (<see cref="Docker"/>) and <c>library/docker:list</c> a Docker
/// manifest list (<see cref="DockerList"/>).</item>
/// </list>
/// Content is pushed identically to both registries, so digests are equal. Tests sharing the fixture must not stop or
/// corrupt these registries (start their own with <see cref="ReferenceRegistry.StartAsync"/> for that); request logs are shared,
/// so reset them or filter by name.
/// </summary>
public sealed class OciUpstreamFixture : IAsyncLifetime
{
    public static readonly (string User, string Password) Credentials = ("tester", "tester-password");

    public OciImageBuilder Builder { get; } = new();

    public ReferenceRegistry Anonymous { get; private set; } = null!;

    public BearerTokenServer Tokens { get; private set; } = null!;

    public ReferenceRegistry Protected { get; private set; } = null!;

    public OciImage App { get; private set; } = null!;

    public OciImage App2 { get; private set; } = null!;

    public OciImage Sbom { get; private set; } = null!;

    public OciImage ReferrersIndex { get; private set; } = null!;

    public OciImage Signature { get; private set; } = null!;

    public OciImage Multi { get; private set; } = null!;

    public OciImage Docker { get; private set; } = null!;

    public OciImage DockerList { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tokens = await BearerTokenServer.StartAsync(new BearerTokenServerOptions { Users = { [Credentials.User] = Credentials.Password } });
        Anonymous = await ReferenceRegistry.StartAsync();
        Protected = await ReferenceRegistry.StartAsync(new ReferenceRegistryOptions { TokenServer = Tokens });

        await Builder.BuildImageAsync("app-1.0", [24_000, 12_000, 6_000], seed: 11);
        await Builder.BuildImageAsync("app-2.0", [3_000], seed: 14, baseTag: "app-1.0");
        await Builder.BuildImageAsync("amd64", [8_000, 4_000], seed: 12, platform: "linux/amd64");
        await Builder.BuildImageAsync("arm64", [8_000, 4_000], seed: 13, platform: "linux/arm64");
        await Builder.BuildIndexAsync("multi", [Builder.ReadTag("amd64") with { Platform = "linux/amd64" }, Builder.ReadTag("arm64") with { Platform = "linux/arm64" }]);

        foreach (var (registry, credentials) in new[] { (Anonymous, ((string, string)?)null), (Protected, Credentials) })
        {
            App = await Builder.PushAsync("app-1.0", registry, "library/app", "1.0", credentials: credentials);
            App2 = await Builder.PushAsync("app-2.0", registry, "library/app", "2.0", credentials: credentials);
            Multi = await Builder.PushAsync("multi", registry, "library/multi", "1.0", credentials: credentials);
            Docker = await Builder.PushAsync("app-1.0", registry, "library/docker", "1.0", OciPushFormat.DockerSchema2, credentials);
            DockerList = await Builder.PushAsync("multi", registry, "library/docker", "list", OciPushFormat.DockerSchema2, credentials);
            using var client = new OciRegistryClient(registry.Address, credentials?.Item1, credentials?.Item2);
            Sbom = await client.PushArtifactAsync("library/app", App, "application/spdx+json",
                Encoding.UTF8.GetBytes("""{"spdxVersion":"SPDX-2.3","name":"library/app:1.0"}"""), "application/spdx+json");
            ReferrersIndex = await client.PushReferrersTagAsync("library/app", App, [Sbom]);
            Signature = await client.PushCosignSignatureAsync("library/app", App);
        }

        Anonymous.ResetRequests();
        Protected.ResetRequests();
        Tokens.ResetRequests();
    }

    public async Task DisposeAsync()
    {
        if (Protected is not null)
        {
            await Protected.DisposeAsync();
        }

        if (Anonymous is not null)
        {
            await Anonymous.DisposeAsync();
        }

        if (Tokens is not null)
        {
            await Tokens.DisposeAsync();
        }

        Builder.Dispose();
    }
}
