namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>An authenticated user as the test API server's authenticators see it (bearer token or client certificate).</summary>
public sealed record TestUser(string Name, IReadOnlyList<string> Groups)
{
    public const string Masters = "system:masters";
    public const string Authenticated = "system:authenticated";

    public string Uid { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The audiences a token was issued for (TokenReview checks requested audiences against them).</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [TestApiServer.DefaultAudience];

    /// <summary>A service account's user: <c>system:serviceaccount:NS:NAME</c> in the service-account groups.</summary>
    public static TestUser ServiceAccount(string @namespace, string name) =>
        new($"system:serviceaccount:{@namespace}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{@namespace}", Authenticated]);
}
