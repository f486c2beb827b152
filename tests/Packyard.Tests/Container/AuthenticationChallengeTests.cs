using Packyard.Engine.Downloads;

namespace Packyard.Tests.Container;

public sealed class AuthenticationChallengeTests
{
    [Fact]
    public void Docker_Hub_Bearer_challenge_is_parsed()
    {
        var challenge = Assert.Single(AuthenticationChallenge.Parse(
            ["Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\""]));

        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal("https://auth.docker.io/token", challenge.Parameter("realm"));
        Assert.Equal("registry.docker.io", challenge.Parameter("service"));
        Assert.Equal("repository:library/nginx:pull", challenge.Parameter("scope"));
    }

    [Fact]
    public void Several_challenges_quoted_commas_escapes_and_unquoted_values_are_parsed()
    {
        var challenges = AuthenticationChallenge.Parse(
            ["Basic realm=\"Registry Realm\", Bearer realm=https://auth.example/token, SCOPE=\"repository:a/b:pull,push\", error=\"say \\\"hi\\\"\""]);

        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
        Assert.Equal("Registry Realm", challenges[0].Parameter("realm"));
        Assert.Equal("https://auth.example/token", challenges[1].Parameter("realm"));
        Assert.Equal("repository:a/b:pull,push", challenges[1].Parameter("scope"));
        Assert.Equal("say \"hi\"", challenges[1].Parameter("error"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(",,,")]
    [InlineData("Bearer")]
    [InlineData("=\"x\"")]
    [InlineData("Bearer realm=\"unterminated")]
    public void Odd_headers_give_no_usable_challenge_and_do_not_throw(string header)
    {
        var challenges = AuthenticationChallenge.Parse([header]);

        Assert.DoesNotContain(challenges, c => c.Scheme == "Bearer" && c.Parameter("realm") is { Length: > 0 } realm && realm.StartsWith("http", StringComparison.Ordinal));
    }
}
