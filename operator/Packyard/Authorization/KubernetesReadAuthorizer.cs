using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Packyard.Hosting;
using Packyard.Operator;

namespace Packyard.Authorization;

/// <summary>
/// Operator mode's read access to versions, diffs and tasks: the bearer token is checked with a TokenReview, then a
/// SubjectAccessReview asks whether its user may <c>get</c> <c>repositories</c> (group <c>packyard.io</c>) in the namespace —
/// whoever may read a Repository's status may read its history. No token or an unknown one is 401, no permission 403, an API
/// server that cannot answer 503. Tokens are never logged.
/// </summary>
public sealed class KubernetesReadAuthorizer(IKubernetes client) : IReadAuthorizer
{
    public async Task<int> AuthorizeAsync(HttpContext http, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var token = UploadCredentials.BearerToken(http.Request);
        if (token is null)
        {
            return StatusCodes.Status401Unauthorized;
        }

        try
        {
            var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1", Kind = "TokenReview", Spec = new V1TokenReviewSpec { Token = token },
            }, cancellationToken: cancellationToken);
            if (review.Status is not { Authenticated: true, User: { } user })
            {
                return StatusCodes.Status401Unauthorized;
            }

            var access = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                ApiVersion = "authorization.k8s.io/v1",
                Kind = "SubjectAccessReview",
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user.Username, Uid = user.Uid, Groups = user.Groups, Extra = user.Extra,
                    ResourceAttributes = new V1ResourceAttributes
                    {
                        NamespaceProperty = ns, Verb = "get", Group = PackyardKinds.Repository.Group, Version = PackyardKinds.Repository.Version,
                        Resource = PackyardKinds.Repository.Plural,
                    },
                },
            }, cancellationToken: cancellationToken);
            return access.Status is { Allowed: true } ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden;
        }
        catch (Exception exception) when (exception is HttpOperationException or HttpRequestException or System.Text.Json.JsonException
            || exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return StatusCodes.Status503ServiceUnavailable;
        }
    }
}
