using System.Globalization;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;

namespace Packyard.Verbs;

/// <summary>The row <c>packyard get</c> shows for a resource of any kind, from its status: Ready and its key figures.</summary>
internal static class ResourceRows
{
    public static ResourceRow Of(string kind, string ns, string name, ResourceStatus? status, string? error)
    {
        var ready = status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        var figures = status switch
        {
            RepositoryStatus r => Join(r.LatestVersion is { } v ? $"v{v}" : null, r.ContentCount is { } c ? $"{c} units" : null, r.Progress?.Summary),
            DistributionStatus d => Join(d.ServedVersion is { } v ? $"serves v{v}" : null, d.Url),
            PromotionStatus p => Join(p.SourceVersion is { } s ? $"v{s}" : null, p.TargetVersion is { } t ? $"-> target v{t}" : null,
                p.Added is { } a ? $"+{a}/-{p.Removed ?? 0}" : null),
            _ => "",
        };
        return new ResourceRow(kind, ns, name, error is not null ? "Invalid" : ready?.Status.ToString() ?? "Unknown", figures, error ?? ready?.Message);
    }

    private static string Join(params string?[] parts) => string.Join(' ', parts.Where(p => !string.IsNullOrEmpty(p)));

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
