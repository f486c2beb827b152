using System.Reflection;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Manifests;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

public sealed class CrossFieldRulesTests
{
    [Fact]
    public void Every_validation_rule_message_has_a_csharp_counterpart()
    {
        var attributeMessages = typeof(Remote).Assembly.GetTypes()
            .SelectMany(type => type.GetCustomAttributes<ValidationRuleAttribute>()
                .Concat(type.GetProperties().SelectMany(property => property.GetCustomAttributes<ValidationRuleAttribute>())))
            .Select(rule => rule.Message)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(attributeMessages);
        Assert.Equal(attributeMessages, CrossFieldRules.Messages.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("5m", false)]
    [InlineData("0s", false)]
    [InlineData("8760h", false)]
    [InlineData("8761h", true)]
    [InlineData("9000h0m1s", true)]
    public void A_pull_through_tagTTL_beyond_a_year_is_refused_as_the_CRD_refuses_it(string ttl, bool refused)
    {
        var distribution = new Distribution
        {
            Spec = new DistributionSpec
            {
                BasePath = "hub", RepositoryRef = new LocalObjectReference { Name = "hub" },
                PullThrough = new PullThrough { RemoteRef = new LocalObjectReference { Name = "docker-hub" }, TagTTL = ttl },
            },
        };

        var violations = CrossFieldRules.Check(distribution).ToList();

        Assert.Equal(refused ? [new FieldViolation("spec.pullThrough.tagTTL", PullThrough.TagTtlMessage)] : [], violations);
    }
}
