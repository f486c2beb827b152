using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// Authentication (a token table and client certificates: CN is the user, O the groups) and the bootstrap RBAC
/// policy every cluster has. Requests are authorised by <see cref="RbacAuthorizer"/> against the stored roles.
/// </summary>
public sealed partial class TestApiServer
{
    /// <summary>The user of <see cref="Token"/>.</summary>
    public const string AdminUser = "admin";

    /// <summary>The audience tokens are issued for unless a test says otherwise.</summary>
    public const string DefaultAudience = "https://kubernetes.default.svc";

    private readonly ConcurrentDictionary<string, TestUser> tokens = new(StringComparer.Ordinal);

    /// <summary>A new bearer token for <paramref name="user"/>; it is also in <c>system:authenticated</c>.</summary>
    public string AddUserToken(string user, params string[] groups) =>
        AddToken(new TestUser(user, [.. groups.Where(g => g != TestUser.Authenticated), TestUser.Authenticated]));

    /// <summary>A new bearer token for the service account <paramref name="name"/> in <paramref name="namespace"/>.</summary>
    public string AddServiceAccountToken(string @namespace, string name) => AddToken(TestUser.ServiceAccount(@namespace, name));

    /// <summary>A new bearer token for <paramref name="user"/> exactly as given (groups and audiences).</summary>
    public string AddToken(TestUser user)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        tokens[token] = user;
        return token;
    }

    /// <summary>From now on the token authenticates nobody.</summary>
    public void RevokeToken(string token) => tokens.TryRemove(token, out _);

    /// <summary>The user a bearer token belongs to, or null.</summary>
    public TestUser? UserOfToken(string token) => tokens.GetValueOrDefault(token);

    private TestUser? Authenticate(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return UserOfToken(authorization[7..].Trim());
        }

        if (context.Connection.ClientCertificate is { } certificate)
        {
            string? name = null;
            var groups = new List<string>();
            foreach (var part in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                switch (part.GetSingleElementType().Value)
                {
                    case "2.5.4.3":
                        name = part.GetSingleElementValue();
                        break;
                    case "2.5.4.10":
                        groups.Add(part.GetSingleElementValue() ?? "");
                        break;
                }
            }

            return name is null ? null : new TestUser(name, [.. groups, TestUser.Authenticated]);
        }

        return null;
    }

    /// <summary>
    /// The bootstrap roles the authorizer relies on, as a real cluster has them: cluster-admin for
    /// <c>system:masters</c>, discovery for every authenticated user.
    /// </summary>
    private void WriteBootstrapPolicy()
    {
        WriteClusterRole("cluster-admin", """
            [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]
            """, TestUser.Masters);
        WriteClusterRole("system:discovery", """
            [{"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], "verbs": ["get"]}]
            """, TestUser.Authenticated);
    }

    private void WriteClusterRole(string name, string rules, string group)
    {
        JsonObject Metadata() => new()
        {
            ["name"] = name,
            ["uid"] = Guid.NewGuid().ToString(),
            ["creationTimestamp"] = ApiRequestHandler.Now(),
            ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        };
        Store.Write(Resource("rbac.authorization.k8s.io", "clusterroles"), null, name, new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "ClusterRole",
            ["metadata"] = Metadata(),
            ["rules"] = JsonNode.Parse(rules),
        }, "ADDED");
        Store.Write(Resource("rbac.authorization.k8s.io", "clusterrolebindings"), null, name, new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "ClusterRoleBinding",
            ["metadata"] = Metadata(),
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = name },
            ["subjects"] = new JsonArray(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = group }),
        }, "ADDED");
    }
}
