using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Engine.Tasks;

/// <summary>
/// What a worker needs to publish a repository version from the database alone (tasks.args): the repository (namespace/name)
/// and its content type, the version, and the publish options — the type's publish block (written through the API's type-options JSON) and the signing key sealed with
/// the <see cref="Secrets.SecretCipher"/> (never in clear in the tasks table), as remotes.config stores Remote credentials.
/// </summary>
public sealed record PublishTaskArgs(string Repository, string Type, long Version, string? SealedSigningKey,
    [property: JsonConverter(typeof(TypeOptionsConverter<PublishTypeOptions>))] PublishTypeOptions? TypeOptions);

/// <summary>How a publish task ended: the version, and the condition reason and message when it failed.</summary>
public sealed record PublishReport(bool Succeeded, long Version, string? Reason, string? Message);
