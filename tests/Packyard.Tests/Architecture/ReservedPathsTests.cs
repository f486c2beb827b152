using Microsoft.AspNetCore.Http;
using Packyard.Api.Resources;
using Packyard.Engine.Versions;
using Packyard.Manifests;
using Packyard.Manifests.Crds;
using Packyard.Server;

namespace Packyard.Tests.Architecture;

/// <summary>
/// One list of reserved first path segments (<see cref="ReservedPaths.FirstSegments"/>) drives the Distribution CRD's CEL
/// rule, validate, the upload path check and the server's routing.
/// </summary>
public sealed class ReservedPathsTests
{
    public static TheoryData<string> Segments() => [.. ReservedPaths.FirstSegments];

    [Fact]
    public void The_distribution_crds_base_path_rule_is_generated_from_the_one_list()
    {
        var distribution = CrdGenerator.Generate().Single(crd => crd.Spec.Names.Kind == "Distribution");
        var spec = distribution.Spec.Versions.Single().Schema.OpenApiV3Schema.Properties!["spec"];

        var rule = Assert.Single(spec.XKubernetesValidations!, rule => rule.Rule.Contains("basePath", StringComparison.Ordinal));

        Assert.Equal(new SchemaValidationRule(ReservedPaths.BasePathRule, ReservedPaths.BasePathMessage), rule);
        Assert.All(ReservedPaths.FirstSegments, segment => Assert.Contains($"'{segment}'", rule.Rule));
        Assert.Equal("!(self.basePath.split('/')[0] in ['api', 'v2', 'healthz', 'readyz', 'metrics'])", rule.Rule);
    }

    [Theory]
    [MemberData(nameof(Segments))]
    public void A_reserved_segment_is_refused_as_a_base_path_and_an_upload_path_and_never_served_as_content(string segment)
    {
        var distribution = new Distribution { Spec = new DistributionSpec { BasePath = $"{segment}/debian", RepositoryRef = new() { Name = "r" } } };

        Assert.Contains(CrossFieldRules.Check(distribution), violation => violation.Message == ReservedPaths.BasePathMessage);
        Assert.NotNull(UploadPaths.Problem($"{segment}/a.txt", []));
        Assert.True(ContentApp.IsReserved(new PathString($"/{segment}/debian")));
    }

    [Theory]
    [InlineData("apis/debian")]
    [InlineData("v3")]
    [InlineData("debian/api")]
    public void A_base_path_that_only_resembles_a_reserved_segment_is_allowed(string basePath)
    {
        var distribution = new Distribution { Spec = new DistributionSpec { BasePath = basePath, RepositoryRef = new() { Name = "r" } } };

        Assert.DoesNotContain(CrossFieldRules.Check(distribution), violation => violation.Message == ReservedPaths.BasePathMessage);
        Assert.False(ContentApp.IsReserved(new PathString($"/{basePath}")));
    }
}
