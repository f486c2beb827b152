using Cronos;

namespace Packyard.Manifests;

/// <summary>
/// spec.sync.schedule and spec.sync.timeZone, read with Cronos (5-field cron, time zone and DST aware): a run that falls into a
/// DST gap fires when the clock jumps, one in a repeated hour fires once. Validation and the reconciler read schedules here.
/// </summary>
public static class SyncSchedule
{
    /// <summary>Null when the schedule is usable, else a message naming the field; <paramref name="expression"/> and <paramref name="zone"/> are set on success.</summary>
    public static string? Parse(string schedule, string timeZone, out CronExpression? expression, out TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        zone = TimeZoneInfo.Utc;
        expression = null;
        if (CronError(schedule) is { } error)
        {
            return $"spec.sync.schedule '{schedule}' is not a valid 5-field cron expression: {error}";
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found))
        {
            return $"spec.sync.timeZone '{timeZone}' is not a known IANA time zone";
        }

        var parsed = CronExpression.Parse(schedule, CronFormat.Standard);
        if (parsed.GetNextOccurrence(DateTimeOffset.UtcNow, found) is null)
        {
            return $"spec.sync.schedule '{schedule}' never fires (no such date)";
        }

        (expression, zone) = (parsed, found);
        return null;
    }

    /// <summary>Why <paramref name="schedule"/> is not a 5-field cron expression, or null when it is one.</summary>
    public static string? CronError(string schedule)
    {
        try
        {
            CronExpression.Parse(schedule, CronFormat.Standard);
            return null;
        }
        catch (CronFormatException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>The first run after <paramref name="after"/> in <paramref name="zone"/>, in UTC; <see cref="DateTimeOffset.MaxValue"/> when none follows.</summary>
    public static DateTimeOffset Next(CronExpression schedule, TimeZoneInfo zone, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.GetNextOccurrence(after, zone)?.ToUniversalTime() ?? DateTimeOffset.MaxValue;
    }
}
