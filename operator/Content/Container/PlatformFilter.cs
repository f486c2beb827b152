namespace Packyard.Content.Container;

/// <summary>
/// The Remote's <c>platforms</c>: <c>os/architecture</c> or <c>os/architecture/variant</c> (<c>linux/arm/v7</c>). An index child
/// matches when os and architecture are equal and, if the filter names a variant, the variant too. No filter keeps everything.
/// </summary>
internal sealed class PlatformFilter
{
    private readonly List<(string Os, string Architecture, string? Variant)>? platforms;

    public PlatformFilter(IReadOnlyCollection<string>? platforms)
    {
        if (platforms is null || platforms.Count == 0)
        {
            return;
        }

        this.platforms = [];
        foreach (var platform in platforms)
        {
            var parts = platform.Split('/');
            if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            {
                throw new ContainerOptionsException($"spec.container.platforms: '{platform}' is not os/architecture or os/architecture/variant (e.g. linux/amd64, linux/arm/v7)");
            }

            this.platforms.Add((parts[0], parts[1], parts.Length == 3 ? parts[2] : null));
        }
    }

    public bool KeepsAll => platforms is null;

    /// <summary>The filter as text, for the upstream state (a changed filter is a changed sync).</summary>
    public override string ToString() => platforms is null ? "*" : string.Join(',', platforms.Select(p => $"{p.Os}/{p.Architecture}/{p.Variant}"));

    public bool Matches(OciPlatform? platform) =>
        platforms is null
        || (platform is not null && platforms.Any(p => p.Os == platform.Os && p.Architecture == platform.Architecture
            && (p.Variant is null || p.Variant == platform.Variant)));
}
