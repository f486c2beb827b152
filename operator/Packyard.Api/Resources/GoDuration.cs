using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Packyard.Api.Resources;

/// <summary>
/// Go's <c>time.ParseDuration</c> format, as Kubernetes resources use it: an optional sign and one or more
/// decimal number + unit pairs, units ns, us (or µs), ms, s, m, h; e.g. <c>30s</c>, <c>1h30m</c>, <c>1.5h</c>, <c>0</c>.
/// </summary>
public static class GoDuration
{
    /// <summary>Parses a Go duration; throws <see cref="FormatException"/> with the reason when it is not one.</summary>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var value, out var error) ? value : throw new FormatException(error);
    }

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses a Go duration; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty duration";
            return false;
        }

        var span = text.AsSpan();
        var negative = false;
        if (span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span is "0")
        {
            error = null;
            return true;
        }

        decimal totalTicks = 0;
        if (span.IsEmpty)
        {
            error = $"invalid duration \"{text}\"";
            return false;
        }

        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !decimal.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration \"{text}\": expected a number at \"{span.ToString()}\"";
                return false;
            }

            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && !char.IsAsciiDigit(span[unitLength]) && span[unitLength] != '.')
            {
                unitLength++;
            }

            if (UnitTicks(span[..unitLength]) is not { } ticksPerUnit)
            {
                error = unitLength == 0
                    ? $"invalid duration \"{text}\": missing unit (use ns, us, ms, s, m or h)"
                    : $"invalid duration \"{text}\": unknown unit \"{span[..unitLength].ToString()}\" (use ns, us, ms, s, m or h)";
                return false;
            }

            span = span[unitLength..];
            totalTicks += number * ticksPerUnit;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                error = $"invalid duration \"{text}\": too large";
                return false;
            }
        }

        var ticks = (long)decimal.Round(totalTicks);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        error = null;
        return true;
    }

    private static decimal? UnitTicks(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 0.01m,
        "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        _ => null,
    };
}
