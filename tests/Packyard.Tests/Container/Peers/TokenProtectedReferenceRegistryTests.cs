using System.Net;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure.Oci;

namespace Packyard.Tests.Container.Peers;

/// <summary>
/// The reference registry behind the test's <see cref="BearerTokenServer"/> exercises Docker's token flow for real: the
/// registry challenges, skopeo fetches a token at the realm with the credentials, and the registry verifies the token's
/// signature against the token server's certificate.
/// </summary>
public sealed class TokenProtectedReferenceRegistryTests : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(1);
    private static readonly (string User, string Password) Credentials = ("tester", "tester-password");
    private readonly OciImageBuilder builder = new();
    private BearerTokenServer tokens = null!;
    private ReferenceRegistry registry = null!;

    public async Task InitializeAsync()
    {
        tokens = await BearerTokenServer.StartAsync();
        registry = await ReferenceRegistry.StartAsync(new ReferenceRegistryOptions { TokenServer = tokens });
    }

    public async Task DisposeAsync()
    {
        await registry.DisposeAsync();
        await tokens.DisposeAsync();
        builder.Dispose();
    }

    [Fact]
    public async Task Skopeo_with_credentials_pushes_and_inspects_with_tokens_the_registry_accepts()
    {
        var image = await builder.BuildAndPushAsync(registry, "private/app", "1.0", [10_000, 5_000], credentials: Credentials);
        Assert.Contains(tokens.Requests, r => r is { User: "tester", Status: 200 } && r.Granted.Contains("repository:private/app:pull,push"));
        Assert.Contains(registry.Requests, r => r.Method == "PUT" && r.Path == "/v2/private/app/manifests/1.0" && r is { Status: 201, AuthorizationScheme: "Bearer" });

        tokens.ResetRequests();
        registry.ResetRequests();
        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", "--creds", $"{Credentials.User}:{Credentials.Password}",
            registry.Docker("private/app", "1.0")], Bounded))!;

        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
        Assert.Contains(tokens.Requests, r => r is { User: "tester", Status: 200 } && r.Scopes.Contains("repository:private/app:pull"));
        Assert.Contains(registry.Requests, r => r.Path == "/v2/private/app/manifests/1.0" && r is { Status: 200, AuthorizationScheme: "Bearer" });
    }

    [Fact]
    public async Task Skopeo_without_credentials_fails_with_401_and_gets_no_token()
    {
        await builder.BuildAndPushAsync(registry, "private/app", "1.0", [2_000], credentials: Credentials);
        tokens.ResetRequests();
        registry.ResetRequests();

        var (code, _, error) = await OciTool.TryRunAsync("skopeo", ["inspect", "--tls-verify=false", "--retry-times", "0",
            registry.Docker("private/app", "1.0")], Bounded);

        Assert.NotEqual(0, code);
        Assert.True(error.Contains("unauthorized", StringComparison.OrdinalIgnoreCase), error);
        Assert.Contains(registry.Requests, r => r is { Status: 401, AuthorizationScheme: null });
        Assert.Equal(0, tokens.IssuedTokens);
        Assert.Contains(tokens.Requests, r => r is { User: null, Status: 401 });
    }

    [Fact]
    public async Task Skopeo_with_a_wrong_password_fails_with_401()
    {
        await builder.BuildAndPushAsync(registry, "private/app", "1.0", [2_000], credentials: Credentials);

        var (code, _, error) = await OciTool.TryRunAsync("skopeo", ["inspect", "--tls-verify=false", "--retry-times", "0", "--creds", "tester:wrong",
            registry.Docker("private/app", "1.0")], Bounded);

        Assert.NotEqual(0, code);
        Assert.True(error.Contains("unauthorized", StringComparison.OrdinalIgnoreCase), error);
        Assert.Contains(tokens.Requests, r => r is { User: "tester", Status: 401 });
    }

    [Fact]
    public async Task The_registry_refuses_a_token_signed_by_another_key_and_one_lacking_the_scope()
    {
        await builder.BuildAndPushAsync(registry, "private/app", "1.0", [2_000], credentials: Credentials);
        await using var stranger = await BearerTokenServer.StartAsync();
        using var http = new HttpClient();

        async Task<HttpStatusCode> GetWithAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.Address, "/v2/private/app/manifests/1.0"));
            request.Headers.Authorization = new("Bearer", token);
            request.Headers.Accept.ParseAdd(OciTestMediaTypes.ImageManifest);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GetWithAsync(tokens.IssueToken("tester", ["repository:private/app:pull"])));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetWithAsync(stranger.IssueToken("tester", ["repository:private/app:pull"])));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetWithAsync(tokens.IssueToken("tester", ["repository:other/app:pull"])));
    }

    [Fact]
    public async Task Podman_pulls_with_credentials_through_the_token_flow()
    {
        var image = await builder.BuildAndPushAsync(registry, "private/podman", "1.0", [4_000], credentials: Credentials);
        using var podman = new PodmanStore();
        tokens.ResetRequests();

        await podman.PullAsync(registry.Reference("private/podman", "1.0"), Credentials);

        Assert.Equal(image.Digest, (await podman.InspectAsync(registry.Reference("private/podman", "1.0")))["Digest"]!.GetValue<string>());
        Assert.True(tokens.IssuedTokens >= 1);
    }
}
