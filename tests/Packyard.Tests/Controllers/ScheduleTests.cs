using NCrontab;
using Packyard.Controllers;

namespace Packyard.Tests.Controllers;

public sealed class ScheduleTests
{
    [Fact]
    public void Cron_schedule_is_read_in_the_repository_time_zone()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var schedule = CrontabSchedule.Parse("0 2 * * *");

        // 2026-07-01 00:30 UTC is 02:30 in Berlin (CEST, +2): the next 02:00 Berlin is 2026-07-02 00:00 UTC.
        var next = RepositoryReconciler.NextOccurrence(schedule, berlin, new DateTimeOffset(2026, 7, 1, 0, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Cron_schedule_in_utc_fires_at_the_next_matching_minute()
    {
        var next = RepositoryReconciler.NextOccurrence(CrontabSchedule.Parse("*/15 * * * *"), TimeZoneInfo.Utc,
            new DateTimeOffset(2026, 11, 22, 10, 7, 30, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Winter_time_shifts_the_utc_hour_of_a_local_schedule()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        var next = RepositoryReconciler.NextOccurrence(CrontabSchedule.Parse("0 2 * * *"), berlin, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero), next);
    }
}
