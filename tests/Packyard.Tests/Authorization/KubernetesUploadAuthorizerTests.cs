using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using k8s;
using Packyard.Authorization;
using Packyard.Server;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Authorization;

/// <summary>
/// Upload authorization against the real API server with <c>config/default</c> applied: the authorizer runs as the
/// operator's service account (a real token) under its ClusterRole, with the library's TokenReview and SubjectAccessReview,
/// and uploaders (real ServiceAccount tokens) get <c>packyard-uploader</c> through a RoleBinding in this class's namespace.
/// </summary>
public sealed class KubernetesUploadAuthorizerTests : IAsyncLifetime
{
    private const string OperatorUser = "system:serviceaccount:packyard-system:packyard";
    private readonly ManualTime time = new();
    private readonly RecordingLogger logger = new();
    private readonly Infrastructure.TemporaryDirectory directory = new();
    private KubernetesEnvironment environment = null!;
    private k8s.Kubernetes operatorClient = null!;
    private Kubectl kubectl = null!;
    private string ns = null!;
    private string uploader = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("uploads");
        kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig")));
        await ConfigDefaultOnce.EnsureAsync();
        await BindUploaderAsync("ci-uploads", $"kind: ServiceAccount, name: builder, namespace: {ns}");
        operatorClient = environment.LibraryClient(await environment.CreateServiceAccountTokenAsync("packyard-system", "packyard"));
        uploader = await environment.CreateServiceAccountTokenAsync(ns, "builder");
    }

    public Task DisposeAsync()
    {
        operatorClient.Dispose();
        kubectl.Dispose();
        directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_bearer_token_of_a_user_bound_to_packyard_uploader_may_upload()
    {
        Assert.Equal(200, await AuthorizeAsync(Bearer(uploader)));
    }

    [Theory]
    [InlineData("token")]
    [InlineData("__token__")]
    public async Task Basic_auth_with_the_token_user_name_and_the_token_as_password_may_upload(string user)
    {
        Assert.Equal(200, await AuthorizeAsync(Basic(user, uploader)));
    }

    [Fact]
    public async Task Basic_auth_with_another_user_name_is_401_without_asking_the_api_server()
    {
        var mark = environment.Audit.Mark();

        Assert.Equal(401, await AuthorizeAsync(Basic("ci-builder", uploader)));
        Assert.Equal(0, Reviews(mark));
    }

    [Fact]
    public async Task No_credentials_or_an_unknown_token_is_401()
    {
        Assert.Equal(401, await AuthorizeAsync(null));
        Assert.Equal(401, await AuthorizeAsync(Bearer("not-a-token")));
    }

    [Fact]
    public async Task An_authenticated_user_without_the_permission_is_403()
    {
        var stranger = environment.StaticUserToken("mallory");

        Assert.Equal(403, await AuthorizeAsync(Bearer(stranger)));
        Assert.Equal(403, await AuthorizeAsync(Bearer(uploader), "other-namespace"));
    }

    [Fact]
    public async Task An_allowed_answer_is_reused_until_it_expires_and_then_asked_again()
    {
        var authorizer = Authorizer();
        var mark = environment.Audit.Mark();
        await AuthorizeAsync(Bearer(uploader), authorizer: authorizer);
        Assert.Equal(2, Reviews(mark));

        Assert.Equal(200, await AuthorizeAsync(Bearer(uploader), authorizer: authorizer));
        Assert.Equal(2, Reviews(mark));

        time.Advance(TimeSpan.FromSeconds(61));
        // Deleting the ServiceAccount invalidates its tokens (once the API server's cache has seen the deletion).
        await environment.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/serviceaccounts/builder");
        await UntilTokenIsRejectedAsync(uploader);
        var before = Reviews(mark);
        Assert.Equal(401, await AuthorizeAsync(Bearer(uploader), authorizer: authorizer));
        Assert.Equal(before + 1, Reviews(mark));
    }

    [Fact]
    public async Task A_refusal_is_not_cached_so_a_new_binding_takes_effect_at_once()
    {
        var authorizer = Authorizer();
        var developer = environment.StaticUserToken("bob");
        Assert.Equal(403, await AuthorizeAsync(Bearer(developer), authorizer: authorizer));

        await BindUploaderAsync("dev-uploads", "kind: User, name: bob, apiGroup: rbac.authorization.k8s.io");

        Assert.Equal(200, await AuthorizeAsync(Bearer(developer), authorizer: authorizer));
    }

    [Fact]
    public async Task Tokens_never_appear_in_the_log()
    {
        var stranger = environment.StaticUserToken("mallory");
        var authorizer = Authorizer();

        await AuthorizeAsync(Bearer(uploader), authorizer: authorizer);
        await AuthorizeAsync(Bearer(stranger), authorizer: authorizer);
        await AuthorizeAsync(Bearer("unknown-secret-token"), authorizer: authorizer);

        Assert.Contains(logger.Messages, m => m.Contains($"Upload by system:serviceaccount:{ns}:builder to {ns}/python allowed", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.Contains($"Upload by mallory to {ns}/python refused", StringComparison.Ordinal));
        Assert.All(logger.Messages, m =>
        {
            Assert.DoesNotContain(uploader, m, StringComparison.Ordinal);
            Assert.DoesNotContain(stranger, m, StringComparison.Ordinal);
            Assert.DoesNotContain("unknown-secret-token", m, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task An_api_server_that_cannot_be_reached_is_503()
    {
        using var unreachable = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = $"https://127.0.0.1:{Infrastructure.HttpUpstream.FreePort()}/", AccessToken = "x" });

        Assert.Equal(503, await AuthorizeAsync(Bearer(uploader), authorizer: Authorizer(unreachable)));
    }

    [Fact]
    public void The_registration_extension_provides_the_authorizer_with_validated_options()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetes>(operatorClient);
        services.AddKubernetesUploadAuthorization(options => options.CacheDuration = TimeSpan.FromSeconds(5));
        services.AddKubernetesUploadAuthorization();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<KubernetesUploadAuthorizer>(Assert.Single(provider.GetServices<IUploadAuthorizer>()));
        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<KubernetesUploadAuthorizationOptions>>().Value.CacheDuration);

        using var invalid = new ServiceCollection().AddKubernetesUploadAuthorization(options => options.CacheSize = 0).BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<KubernetesUploadAuthorizationOptions>>().Value);
    }

    private async Task BindUploaderAsync(string name, string subject)
    {
        using var directory = new Infrastructure.TemporaryDirectory();
        await kubectl.SucceedAsync("apply", "-f", directory.Write("binding.yaml", $$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: {{name}}, namespace: {{ns}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard-uploader}
            subjects: [{{{subject}}}]
            """));
    }

    private async Task UntilTokenIsRejectedAsync(string token)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var review = await environment.SendAsync(HttpMethod.Post, "/apis/authentication.k8s.io/v1/tokenreviews", new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "authentication.k8s.io/v1",
                ["kind"] = "TokenReview",
                ["spec"] = new System.Text.Json.Nodes.JsonObject { ["token"] = token },
            });
            if (review?["status"]?["authenticated"]?.GetValue<bool>() != true)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The deleted ServiceAccount's token was still accepted after 15 s.");
            await Task.Delay(200);
        }
    }

    /// <summary>TokenReviews and SubjectAccessReviews the operator's account made since <paramref name="mark"/>.</summary>
    private int Reviews(long mark) => environment.Audit.Since(mark).Count(e => e.User == OperatorUser && e.Verb == "create"
        && e.Resource is "tokenreviews" or "subjectaccessreviews");

    private KubernetesUploadAuthorizer Authorizer(IKubernetes? client = null) =>
        new(client ?? operatorClient, Options.Create(new KubernetesUploadAuthorizationOptions()), time, logger);

    private Task<int> AuthorizeAsync(AuthenticationHeaderValue? authorization, string? @namespace = null, KubernetesUploadAuthorizer? authorizer = null)
    {
        @namespace ??= ns;
        var http = new DefaultHttpContext();
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization.ToString();
        }

        return (authorizer ?? Authorizer()).AuthorizeAsync(http, @namespace, "python", CancellationToken.None);
    }

    private static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.UtcNow;

        public void Advance(TimeSpan by) => now += by;

        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class RecordingLogger : ILogger<KubernetesUploadAuthorizer>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception) + exception);
    }
}
