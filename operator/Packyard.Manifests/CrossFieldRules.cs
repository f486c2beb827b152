using System.Reflection;
using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>
/// The CEL rules of the CRDs (<c>[ValidationRule]</c> in Packyard.Api), implemented in C# for manifests that
/// never reach an API server. Messages equal the rules' messages; a test keeps the two lists in step.
/// Also checks that a Secret's <c>data</c> is base64, as the API server does.
/// </summary>
internal static class CrossFieldRules
{
    /// <summary>The message for a base path on a reserved first segment (<see cref="ReservedPaths"/>, Packyard.Api's one list).</summary>
    public static string ReservedBasePath => ReservedPaths.BasePathMessage;

    public const string BothContentGuards = "set either basicAuthSecretRef or tokenSecretRef, not both";

    public const string SameSourceAndTarget = "spec.sourceRef and spec.targetRef must name different repositories";

    /// <summary>Every message this class can report for a [ValidationRule].</summary>
    public static IReadOnlyList<string> Messages { get; } =
    [
        .. Enum.GetValues<ContentType>().Select(TypeBlockMessage),
        .. RepositoryPublish.BlockTypes.Select(PublishBlockMessage),
        ReservedBasePath,
        BothContentGuards,
        SameSourceAndTarget,
        .. PublishBlockRuleMessages(),
        RemoteLimits.RateLimitMessage, // in manifests, the schema's minimum and maximum report it
        RemoteLimits.TimeoutMessage,
        PullThrough.TagTtlMessage,
    ];

    /// <summary>The messages of the rules inside publish blocks (<see cref="PublishTypeOptions.CheckRules"/> reports them).</summary>
    private static IEnumerable<string> PublishBlockRuleMessages() =>
        typeof(PublishTypeOptions).Assembly.GetTypes().Where(type => type.IsSubclassOf(typeof(PublishTypeOptions)))
            .SelectMany(type => type.GetProperties()).SelectMany(property => property.GetCustomAttributes<Api.Schema.ValidationRuleAttribute>())
            .Select(rule => rule.Message);

    public static string TypeBlockMessage(ContentType type) =>
        $"spec.{type.ToName()} is only allowed when spec.type is {type.ToName()}";

    public static string PublishBlockMessage(ContentType type) =>
        $"spec.publish.{type.ToName()} is only allowed when spec.type is {type.ToName()}";

    public static IEnumerable<FieldViolation> Check(object resource) => resource switch
    {
        Remote remote => CheckRemote(remote.Spec),
        Repository repository => CheckRepository(repository.Spec),
        Distribution distribution => CheckDistribution(distribution.Spec),
        Promotion promotion => CheckPromotion(promotion.Spec),
        Secret secret => CheckSecret(secret),
        _ => [],
    };

    private static IEnumerable<FieldViolation> CheckRemote(RemoteSpec spec)
    {
        foreach (var (type, _) in spec.TypeBlocks())
        {
            if (spec.Type != type)
            {
                yield return new FieldViolation("spec." + type.ToName(), TypeBlockMessage(type));
            }
        }

        if (GoDuration.TryParse(spec.Timeout, out var timeout, out _) && (timeout < RemoteLimits.MinTimeout || timeout > RemoteLimits.MaxTimeout))
        {
            yield return new FieldViolation("spec.timeout", RemoteLimits.TimeoutMessage);
        }
    }

    private static IEnumerable<FieldViolation> CheckRepository(RepositorySpec spec)
    {
        foreach (var block in (spec.Publish?.TypeBlocks() ?? []).Where(b => b.Type != spec.Type))
        {
            yield return new FieldViolation("spec.publish." + block.Type.ToName(), PublishBlockMessage(block.Type));
        }

        foreach (var (type, block) in spec.Publish?.TypeBlocks() ?? [])
        {
            foreach (var (field, message) in block.CheckRules())
            {
                yield return new FieldViolation($"spec.publish.{type.ToName()}.{field}", message);
            }
        }
    }

    private static IEnumerable<FieldViolation> CheckDistribution(DistributionSpec spec)
    {
        if (ReservedPaths.IsReserved(ReservedPaths.FirstSegmentOf(spec.BasePath)))
        {
            yield return new FieldViolation("spec.basePath", ReservedBasePath);
        }

        if (spec.ContentGuard is { BasicAuthSecretRef: not null, TokenSecretRef: not null })
        {
            yield return new FieldViolation("spec.contentGuard", BothContentGuards);
        }

        if (spec.PullThrough?.TagTTL is { } ttl && GoDuration.TryParse(ttl, out var tagTtl, out _) && (tagTtl < TimeSpan.Zero || tagTtl > PullThrough.MaxTagTtl))
        {
            yield return new FieldViolation("spec.pullThrough.tagTTL", PullThrough.TagTtlMessage);
        }
    }

    private static IEnumerable<FieldViolation> CheckPromotion(PromotionSpec spec)
    {
        if (string.Equals(spec.SourceRef.Name, spec.TargetRef.Name, StringComparison.Ordinal))
        {
            yield return new FieldViolation("spec.targetRef.name", SameSourceAndTarget);
        }
    }

    private static IEnumerable<FieldViolation> CheckSecret(Secret secret)
    {
        foreach (var (key, value) in secret.Data ?? [])
        {
            var buffer = new byte[value.Length];
            if (!Convert.TryFromBase64String(value, buffer, out _))
            {
                yield return new FieldViolation("data." + key, $"data.{key} is not valid base64 (use stringData for plain text)");
            }
        }
    }
}
