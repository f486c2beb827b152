using Packyard.Api.Resources;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("-2s", -2_000)]
    public void Go_durations_parse(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5d")]
    [InlineData("h")]
    [InlineData("1h 30m")]
    public void Invalid_durations_are_rejected_with_a_reason(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => GoDuration.Parse(text));
    }
}
