using Cronos;
using Packyard.Manifests;

namespace Packyard.Tests.Controllers;

public sealed class ScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void Cron_schedule_is_read_in_the_repository_time_zone()
    {
        // 2026-07-01 00:30 UTC is 02:30 in Berlin (CEST, +2): the next 02:00 Berlin is 2026-07-02 00:00 UTC.
        var next = SyncSchedule.Next(CronExpression.Parse("0 2 * * *"), Berlin, new DateTimeOffset(2026, 7, 1, 0, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Cron_schedule_in_utc_fires_at_the_next_matching_minute()
    {
        var next = SyncSchedule.Next(CronExpression.Parse("*/15 * * * *"), TimeZoneInfo.Utc, new DateTimeOffset(2026, 11, 22, 10, 7, 30, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Winter_time_shifts_the_utc_hour_of_a_local_schedule()
    {
        var next = SyncSchedule.Next(CronExpression.Parse("0 2 * * *"), Berlin, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void A_run_in_the_DST_gap_fires_when_the_clock_jumps_instead_of_throwing()
    {
        // 2027-03-28 02:30 does not exist in Berlin (02:00 CET jumps to 03:00 CEST = 01:00 UTC).
        Assert.Null(SyncSchedule.Parse("30 2 28 3 *", "Europe/Berlin", out var schedule, out var zone));

        var next = SyncSchedule.Next(schedule!, zone, new DateTimeOffset(2027, 3, 27, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void A_run_in_the_repeated_hour_fires_once()
    {
        // 2026-10-25 02:30 happens twice in Berlin (CEST, then CET): one run, at the first.
        Assert.Null(SyncSchedule.Parse("30 2 * * *", "Europe/Berlin", out var schedule, out var zone));

        var first = SyncSchedule.Next(schedule!, zone, new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));
        var second = SyncSchedule.Next(schedule!, zone, first);

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), second);
    }

    [Theory]
    [InlineData("0 0 30 2 *", "Europe/Berlin", "spec.sync.schedule '0 0 30 2 *' never fires (no such date)")]
    [InlineData("0 2 * *", "UTC", "spec.sync.schedule '0 2 * *' is not a valid 5-field cron expression")]
    [InlineData("61 * * * *", "UTC", "spec.sync.schedule '61 * * * *' is not a valid 5-field cron expression")]
    [InlineData("0 2 * * *", "Mars/Olympus", "spec.sync.timeZone 'Mars/Olympus' is not a known IANA time zone")]
    public void Unusable_schedules_are_reported_with_the_field(string cron, string timeZone, string message)
    {
        Assert.StartsWith(message, SyncSchedule.Parse(cron, timeZone, out _, out _));
    }
}
