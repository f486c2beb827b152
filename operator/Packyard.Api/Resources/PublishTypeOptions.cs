using System.Text.Json.Serialization;

namespace Packyard.Api.Resources;

/// <summary>
/// A Repository's type-specific publish block (<c>spec.publish.deb</c>): the options the publisher of <c>spec.type</c> reads.
/// <see cref="RepositorySpec.TypePublishOptions"/> gives the block of a spec; stored, it is written by
/// <see cref="TypeOptionsJsonContext"/> with the type name as discriminator.
/// </summary>
[JsonPolymorphic]
[JsonDerivedType(typeof(DebPublishOptions), "deb")]
public abstract class PublishTypeOptions
{
    /// <summary>
    /// Checks the block's rules across its own fields, which the CRD states as CEL (<c>[ValidationRule]</c> on the block's
    /// properties), for manifests that never reach an API server: each violation as the field below the block and the rule's message.
    /// </summary>
    public virtual IEnumerable<(string Field, string Message)> CheckRules() => [];
}
