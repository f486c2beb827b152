using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Packyard.Authorization;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Configuration;
using Packyard.Server;
using Packyard.Tests.Kubernetes;

namespace Packyard.Tests.Authorization;

/// <summary>
/// Upload authorization against the test API server with <c>config/default</c> applied: the authorizer runs as the
/// operator's service account under its ClusterRole, and uploaders get <c>packyard-uploader</c> through a RoleBinding.
/// </summary>
public sealed class KubernetesUploadAuthorizerTests : IAsyncLifetime
{
    private const string OperatorUser = "system:serviceaccount:packyard-system:packyard";
    private readonly ManualTime time = new();
    private readonly RecordingLogger logger = new();
    private ApiServerSession session = null!;
    private KubernetesClient operatorClient = null!;
    private Kubectl kubectl = null!;
    private string uploader = null!;

    public async Task InitializeAsync()
    {
        session = await ApiServerSession.StartAsync();
        kubectl = new Kubectl(session.Server);
        await kubectl.SucceedAsync("apply", "-k", "config/default");
        await BindUploaderAsync("ci-uploads", "kind: ServiceAccount, name: builder, namespace: ci");
        operatorClient = session.ClientFor(session.Server.AddServiceAccountToken("packyard-system", "packyard"));
        uploader = session.Server.AddServiceAccountToken("ci", "builder");
    }

    public async Task DisposeAsync()
    {
        operatorClient.Dispose();
        kubectl.Dispose();
        await session.DisposeAsync();
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
        var start = DateTimeOffset.UtcNow;

        Assert.Equal(401, await AuthorizeAsync(Basic("ci-builder", uploader)));
        Assert.Empty(session.Server.RequestsSince(start));
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
        var stranger = session.Server.AddUserToken("mallory", "developers");

        Assert.Equal(403, await AuthorizeAsync(Bearer(stranger)));
        Assert.Equal(403, await AuthorizeAsync(Bearer(uploader), "other-namespace"));
    }

    [Fact]
    public async Task An_allowed_answer_is_reused_until_it_expires_and_then_asked_again()
    {
        var authorizer = Authorizer();
        await AuthorizeAsync(Bearer(uploader), authorizer: authorizer);
        var reviews = Reviews();

        Assert.Equal(200, await AuthorizeAsync(Bearer(uploader), authorizer: authorizer));
        Assert.Equal(reviews, Reviews());

        time.Advance(TimeSpan.FromSeconds(61));
        session.Server.RevokeToken(uploader);
        Assert.Equal(401, await AuthorizeAsync(Bearer(uploader), authorizer: authorizer));
        Assert.Equal(reviews + 1, Reviews());
    }

    [Fact]
    public async Task A_refusal_is_not_cached_so_a_new_binding_takes_effect_at_once()
    {
        var authorizer = Authorizer();
        var developer = session.Server.AddUserToken("dev");
        Assert.Equal(403, await AuthorizeAsync(Bearer(developer), authorizer: authorizer));

        await BindUploaderAsync("dev-uploads", "kind: User, name: dev");

        Assert.Equal(200, await AuthorizeAsync(Bearer(developer), authorizer: authorizer));
    }

    [Fact]
    public async Task Tokens_never_appear_in_the_log()
    {
        var stranger = session.Server.AddUserToken("mallory");
        var authorizer = Authorizer();

        await AuthorizeAsync(Bearer(uploader), authorizer: authorizer);
        await AuthorizeAsync(Bearer(stranger), authorizer: authorizer);
        await AuthorizeAsync(Bearer("unknown-secret-token"), authorizer: authorizer);

        Assert.Contains(logger.Messages, m => m.Contains("Upload by system:serviceaccount:ci:builder to default/python allowed", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.Contains("Upload by mallory to default/python refused", StringComparison.Ordinal));
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
        using var unreachable = new KubernetesClient(new KubernetesClientConfiguration { Host = new Uri($"https://127.0.0.1:{Infrastructure.HttpUpstream.FreePort()}/"), AccessToken = "x" });

        Assert.Equal(503, await AuthorizeAsync(Bearer(uploader), authorizer: Authorizer(unreachable)));
    }

    [Fact]
    public void The_registration_extension_provides_the_authorizer_with_validated_options()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(operatorClient);
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
            metadata: {name: {{name}}, namespace: default}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard-uploader}
            subjects: [{{{subject}}}]
            """));
    }

    private int Reviews() => session.Server.Requests.Count(r => r.User == OperatorUser && r.Verb == "create");

    private KubernetesUploadAuthorizer Authorizer(KubernetesClient? client = null) =>
        new(client ?? operatorClient, Options.Create(new KubernetesUploadAuthorizationOptions()), time, logger);

    private Task<int> AuthorizeAsync(AuthenticationHeaderValue? authorization, string @namespace = "default", KubernetesUploadAuthorizer? authorizer = null)
    {
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
