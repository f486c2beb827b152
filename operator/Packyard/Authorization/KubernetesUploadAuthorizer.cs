using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Packyard.Operator;
using Packyard.Server;

namespace Packyard.Authorization;

/// <summary>
/// Uploads in a cluster: the bearer token (see <see cref="UploadCredentials"/>) is checked with a TokenReview, then
/// the API server is asked with a SubjectAccessReview whether its user may <c>create</c>
/// <c>repositories/content</c> (group <c>packyard.io</c>) on the repository in its namespace — the permission the
/// <c>packyard-uploader</c> ClusterRole grants. No token or an unknown one is 401, a known user without the
/// permission 403, an API server that cannot answer 503. Allowed answers are cached briefly; tokens are never logged.
/// Both reviews are the KubernetesClient library's models, sent through its typed API.
/// </summary>
public sealed partial class KubernetesUploadAuthorizer : IUploadAuthorizer
{
    private readonly IKubernetes client;
    private readonly KubernetesUploadAuthorizationOptions options;
    private readonly UploadDecisionCache cache;
    private readonly ILogger logger;

    public KubernetesUploadAuthorizer(
        IKubernetes client, IOptions<KubernetesUploadAuthorizationOptions> options, TimeProvider time, ILogger<KubernetesUploadAuthorizer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.client = client;
        this.options = options.Value;
        this.logger = logger;
        cache = new UploadDecisionCache(time, this.options.CacheDuration, this.options.CacheSize);
    }

    public async Task<int> AuthorizeAsync(HttpContext http, string ns, string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var token = UploadCredentials.BearerToken(http.Request);
        if (token is null)
        {
            return StatusCodes.Status401Unauthorized;
        }

        var key = UploadDecisionCache.Key(token, ns, repository);
        if (cache.IsAllowed(key))
        {
            return StatusCodes.Status200OK;
        }

        try
        {
            var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenReview",
                Spec = new V1TokenReviewSpec { Token = token, Audiences = options.Audiences.Count == 0 ? null : [.. options.Audiences] },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (review.Status is not { Authenticated: true, User: { } user })
            {
                Log.NotAuthenticated(logger, ns, repository);
                return StatusCodes.Status401Unauthorized;
            }

            var access = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                ApiVersion = "authorization.k8s.io/v1",
                Kind = "SubjectAccessReview",
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user.Username,
                    Uid = user.Uid,
                    Groups = user.Groups,
                    Extra = user.Extra,
                    ResourceAttributes = new V1ResourceAttributes
                    {
                        NamespaceProperty = ns,
                        Verb = "create",
                        Group = PackyardKinds.Repository.Group,
                        Version = PackyardKinds.Repository.Version,
                        Resource = PackyardKinds.Repository.Plural,
                        Subresource = "content",
                        Name = repository,
                    },
                },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (access.Status is not { Allowed: true })
            {
                Log.Forbidden(logger, user.Username ?? "", ns, repository, access.Status?.Reason ?? "");
                return StatusCodes.Status403Forbidden;
            }

            cache.Allow(key);
            Log.Allowed(logger, user.Username ?? "", ns, repository);
            return StatusCodes.Status200OK;
        }
        catch (Exception exception) when (exception is HttpOperationException or HttpRequestException or System.Text.Json.JsonException
            || exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.ReviewFailed(logger, ns, repository, exception is HttpOperationException { Response: { } response } ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : exception.Message);
            return StatusCodes.Status503ServiceUnavailable;
        }
    }

    private static partial class Log
    {
        private const int AllowedId = 4100;
        private const int NotAuthenticatedId = 4101;
        private const int ForbiddenId = 4102;
        private const int ReviewFailedId = 4103;

        [LoggerMessage(EventId = AllowedId, Level = LogLevel.Debug, Message = "Upload by {User} to {Namespace}/{Repository} allowed")]
        public static partial void Allowed(ILogger logger, string user, string @namespace, string repository);

        [LoggerMessage(EventId = NotAuthenticatedId, Level = LogLevel.Information,
            Message = "Upload to {Namespace}/{Repository} refused: the bearer token is not valid (TokenReview)")]
        public static partial void NotAuthenticated(ILogger logger, string @namespace, string repository);

        [LoggerMessage(EventId = ForbiddenId, Level = LogLevel.Information,
            Message = "Upload by {User} to {Namespace}/{Repository} refused: no permission to create repositories/content ({Reason})")]
        public static partial void Forbidden(ILogger logger, string user, string @namespace, string repository, string reason);

        [LoggerMessage(EventId = ReviewFailedId, Level = LogLevel.Warning,
            Message = "Upload to {Namespace}/{Repository}: the API server could not review the request: {Error}")]
        public static partial void ReviewFailed(ILogger logger, string @namespace, string repository, string error);
    }
}
