using System.Globalization;

namespace Packyard.Verbs;

/// <summary>kubectl's short ages: 45s, 12m, 5h, 3d.</summary>
internal static class Age
{
    public static string Since(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } t)
        {
            return "";
        }

        var age = now - t;
        return age.TotalSeconds < 0 ? "0s"
            : age.TotalMinutes < 2 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalSeconds}s")
            : age.TotalHours < 2 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m")
            : age.TotalDays < 2 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d");
    }
}
