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
}
