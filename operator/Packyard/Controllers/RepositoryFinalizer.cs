using System.Globalization;
using System.Text;
using Packyard.Api.Conditions;
using Packyard.Engine.Catalog;

namespace Packyard.Controllers;

/// <summary>
/// The engine side of deleting a Repository, for both modes (a document gone from the manifests, an object deleted in the
/// cluster): its versions, publications and artifacts are detached and kept for the deletion grace period, so that a
/// Repository of the same namespace, name and type created within it gets them back; a Normal <c>Deleted</c> event says
/// until when. With no grace period the repository is deleted at once. Idempotent: a second call finds nothing to delete.
/// </summary>
public sealed class RepositoryFinalizer(EngineCatalog catalog, IEventRecorder events, TimeSpan grace)
{
    /// <summary>How long a deleted Repository's data is kept (<c>--deletion-grace</c>); zero deletes at once.</summary>
    public TimeSpan Grace { get; } = grace;

    /// <summary>Detaches (or deletes) the repository and records the event; returns its message, or null when there was nothing to delete.</summary>
    public async Task<string?> DeleteAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var deletion = await catalog.DetachRepositoryAsync(ns, name, Grace, cancellationToken);
        if (deletion is null)
        {
            return null;
        }

        var message = deletion.KeepUntil is { } until
            ? $"versions up to {deletion.LatestVersion} kept until {Timestamp(until)} (--deletion-grace {Format(Grace)}); re-create the Repository to restore them"
            : $"deleted at once with versions up to {deletion.LatestVersion} and their publications (--deletion-grace 0s)";
        events.Record(Runtime.KindNames.Repository, ns, name, false, Reasons.Deleted, message);
        return message;
    }

    /// <summary>The message of the <c>Restored</c> event for a repository reattached within its grace period.</summary>
    public static string RestoredMessage(RestoredRepository restored)
    {
        ArgumentNullException.ThrowIfNull(restored);
        var versions = restored.LatestVersion == 0
            ? "restored (it had only its empty version 0)"
            : restored.FirstVersion == restored.LatestVersion
                ? $"restored version {restored.LatestVersion}"
                : $"restored versions {restored.FirstVersion}–{restored.LatestVersion}";
        return $"{versions} kept since deletion at {Timestamp(restored.Deleted)}";
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A Go duration as a user writes it: 24h, 1h30m, 90m → 1h30m, 45s, 500ms.</summary>
    internal static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (duration.Minutes > 0)
        {
            text.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        if (duration.Seconds > 0)
        {
            text.Append(duration.Seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }

        if (duration.Milliseconds > 0)
        {
            text.Append(duration.Milliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms");
        }

        return text.Length > 0 ? text.ToString() : "0s";
    }
}
