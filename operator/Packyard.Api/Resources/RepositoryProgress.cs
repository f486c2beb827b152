using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>
/// What a running task of the repository is doing, as its worker last recorded it (at most every few seconds); absent while no
/// task runs.
/// </summary>
public sealed class RepositoryProgress
{
    [Description("The task (see `packyard logs TASK`).")]
    public long Task { get; set; }

    [Description("The kind of task: sync, publish or promote.")]
    public string Kind { get; set; } = "";

    [Description("What the task does now: Reading metadata, Downloading, Creating version, Publishing, ...")]
    public string Phase { get; set; } = "";

    [Description("Items done in this phase (units read, artifacts downloaded), when counted.")]
    public long? Done { get; set; }

    [Description("Items this phase has to do, when known.")]
    public long? Total { get; set; }

    [Description("Bytes downloaded so far.")]
    public long? Bytes { get; set; }

    [Description("When the worker recorded it.")]
    public DateTimeOffset? Updated { get; set; }

    [Description("The progress in a few words, for the kubectl column: 'Downloading 312/1000'.")]
    public string Summary { get; set; } = "";
}
