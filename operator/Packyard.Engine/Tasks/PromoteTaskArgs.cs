using Packyard.Api.Resources;

namespace Packyard.Engine.Tasks;

/// <summary>
/// What a worker needs to promote (tasks.args): the Promotion (namespace/name), its source and target repositories (names
/// for messages, ids for the engine; the task holds the TARGET's lock), the source version (null: the source's latest),
/// the selection and mode. <see cref="Fingerprint"/> is everything the promotion is made with but the target's content, so
/// the controller knows whether the last successful one still holds.
/// </summary>
public sealed record PromoteTaskArgs(
    string Promotion, string Source, string Target, long SourceId, long? SourceVersion, string Type, PromotionSelect? Select, PromotionMode Mode,
    string Fingerprint);

/// <summary>How a promote task ended: the versions and counts when it succeeded, the condition reason and message when it failed.</summary>
public sealed record PromoteReport(
    bool Succeeded, string? Reason, string? Message, long SourceVersion, long TargetVersion, bool Created, long Added, long Removed);
