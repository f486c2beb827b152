using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.History;
using Packyard.Plugins;
using Packyard.Runtime;

namespace Packyard.StatusPage;

/// <summary>
/// Renders the status page's HTML: server-side, no script, every value from a resource, a condition or the database
/// HTML-encoded (names, messages and URLs come from users and upstreams). A small stylesheet keeps it readable from phone
/// width (390 px: tables scroll inside their box, commands wrap) to a desktop.
/// </summary>
public static class StatusPageRenderer
{
    /// <summary>Where a repository's page lives: no base path can start with <c>-</c>, so this path never shadows content.</summary>
    public const string RepositoryPrefix = "/-/repositories/";

    private const string Style = """
        :root{color-scheme:light;--fg:#1d2430;--muted:#5b6472;--line:#d8dde5;--bg:#f6f7f9;--ok:#176f2c;--bad:#b3261e;--unknown:#6b6f76}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{background:#1d2430;color:#fff;padding:12px 16px}
        header a{color:#fff;text-decoration:none}
        header h1{margin:0;font-size:20px}
        header p{margin:2px 0 0;color:#c9ced6;font-size:13px}
        main{max-width:1100px;margin:0 auto;padding:8px 16px 32px}
        h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        h3{font-size:16px;margin:0 0 6px;overflow-wrap:anywhere}
        .card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px;margin:0 0 12px}
        .meta{color:var(--muted);font-size:13px;margin:2px 0 8px;overflow-wrap:anywhere}
        .scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
        table{border-collapse:collapse;width:100%;font-size:14px}
        th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:#eef1f5;font-weight:600;white-space:nowrap}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        td.msg{min-width:14em;overflow-wrap:anywhere}
        pre{margin:4px 0 10px;padding:8px 10px;background:#0f1520;color:#e6e9ef;border-radius:4px;font-size:13px;white-space:pre-wrap;overflow-wrap:anywhere}
        .snippet-title{font-size:13px;color:var(--muted);margin:8px 0 0}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
        .True{background:var(--ok)}.False{background:var(--bad)}.Unknown{background:var(--unknown)}
        a{color:#0b57d0}
        .empty{color:var(--muted);font-style:italic}
        .error{color:var(--bad);overflow-wrap:anywhere}
        @media (max-width:640px){main{padding:4px 10px 24px}table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid var(--line);padding:4px 0}
        table.stack td{display:inline-block;border:0;padding:2px 8px}table.stack td.msg{display:block;min-width:0}}
        """;

    /// <summary>The overview at <c>/</c>: distributions with client set-up, repositories, the task queue, every resource's conditions.</summary>
    public static string Overview(IReadOnlyList<PageResource> resources, IReadOnlyList<TaskRecord> queue, ContentUrl contentUrl, ContentTypeRegistry contentTypes,
        DateTimeOffset now)
    {
        var html = new StringBuilder();
        Open(html, "Packyard", now);
        var repositories = resources.Where(r => r.Resource is Repository).ToList();
        var distributions = resources.Where(r => r.Resource is Distribution).ToList();

        html.Append("<section id=\"distributions\"><h2>Distributions</h2>");
        if (distributions.Count == 0)
        {
            html.Append("<p class=\"empty\">No Distribution.</p>");
        }

        foreach (var entry in distributions)
        {
            var distribution = (Distribution)entry.Resource;
            var repository = repositories.FirstOrDefault(r => r.Namespace == entry.Namespace && r.Name == distribution.Spec.RepositoryRef.Name);
            var url = DistributionUrl(distribution, contentUrl);
            html.Append("<article class=\"card distribution\" id=\"distribution-").Append(H(entry.Namespace)).Append('-').Append(H(entry.Name)).Append("\">")
                .Append("<h3>").Append(H(entry.Namespace)).Append('/').Append(H(entry.Name)).Append(' ').Append(ReadyBadge(entry.Resource)).Append("</h3>")
                .Append("<p class=\"meta\">URL <a class=\"url\" href=\"").Append(H(url.ToString())).Append("\">").Append(H(url.ToString())).Append("</a>")
                .Append(" · Repository <a class=\"versions\" href=\"").Append(H(RepositoryHref(entry.Namespace, distribution.Spec.RepositoryRef.Name))).Append("\">")
                .Append(H(distribution.Spec.RepositoryRef.Name)).Append(" (versions)</a>");
            if (distribution.Status?.ServedVersion is { } served)
            {
                html.Append(" · serving version ").Append(served);
            }

            if (distribution.Spec.Version is { } pinned)
            {
                html.Append(" (pinned to ").Append(pinned).Append(')');
            }

            if (distribution.Spec.ContentGuard is not null)
            {
                html.Append(" · protected by a content guard");
            }

            html.Append("</p>");
            ReadyMessage(html, entry.Resource);
            if (repository?.Resource is Repository typed && contentTypes.TryGet(TypeName(typed.Spec.Type), out var plugin) && plugin.ClientSetup is { } setup)
            {
                var pullThrough = distribution.Spec.PullThrough is { } through
                    ? (resources.FirstOrDefault(r => r.Resource is Remote && r.Namespace == entry.Namespace && r.Name == through.RemoteRef.Name)?.Resource as Remote)?.Spec
                    : null;
                foreach (var snippet in setup.Describe(new ClientSetupContext(url, entry.Name, typed.Spec.Uploads?.Enabled == true, pullThrough)))
                {
                    html.Append("<p class=\"snippet-title\">").Append(H(snippet.Title)).Append("</p><pre class=\"snippet\"><code>")
                        .Append(H(snippet.Commands)).Append("</code></pre>");
                }
            }

            html.Append("</article>");
        }

        html.Append("</section><section id=\"repositories\"><h2>Repositories</h2>");
        if (repositories.Count == 0)
        {
            html.Append("<p class=\"empty\">No Repository.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table class=\"stack\"><thead><tr><th>Repository</th><th>Type</th><th>Ready</th><th>Latest version</th><th>Units</th><th>Last sync</th></tr></thead><tbody>");
            foreach (var entry in repositories)
            {
                var repository = (Repository)entry.Resource;
                html.Append("<tr><td><a href=\"").Append(H(RepositoryHref(entry.Namespace, entry.Name))).Append("\">")
                    .Append(H(entry.Namespace)).Append('/').Append(H(entry.Name)).Append("</a></td><td>")
                    .Append(H(TypeName(repository.Spec.Type))).Append("</td><td>").Append(ReadyBadge(repository)).Append("</td><td class=\"num\">")
                    .Append(repository.Status?.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td><td class=\"num\">")
                    .Append(repository.Status?.ContentCount?.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td><td class=\"msg\">");
                LastSync(html, repository.Status?.LastSync);
                html.Append("</td></tr>");
            }

            html.Append("</tbody></table></div>");
        }

        html.Append("</section><section id=\"tasks\"><h2>Task queue</h2>");
        Tasks(html, queue, "No task is queued or running.");
        html.Append("</section><section id=\"resources\"><h2>All resources</h2>");
        foreach (var entry in resources)
        {
            html.Append("<article class=\"card resource\"><h3>").Append(H(entry.Kind)).Append(' ').Append(H(entry.Namespace)).Append('/')
                .Append(H(entry.Name)).Append(' ').Append(ReadyBadge(entry.Resource)).Append("</h3>");
            if (entry.Resource is Remote remote)
            {
                html.Append("<p class=\"meta\">").Append(H(TypeName(remote.Spec.Type))).Append(" remote at ")
                    .Append(H(UrlSanitizer.Sanitize(remote.Spec.Url))).Append(" (").Append(H(remote.Spec.Policy.ToString())).Append(")</p>");
            }

            if (entry.Error is { } error)
            {
                html.Append("<p class=\"error\">").Append(H(error)).Append("</p>");
            }

            Conditions(html, entry.Resource);
            html.Append("</article>");
        }

        if (resources.Count == 0)
        {
            html.Append("<p class=\"empty\">No resource.</p>");
        }

        html.Append("</section>");
        return Close(html);
    }

    /// <summary>A repository's page: its conditions, last sync, every version with counts and dates, its recent tasks, who serves it.</summary>
    public static string Repository(PageResource entry, IReadOnlyList<PageResource> resources, IReadOnlyList<VersionInfo> versions,
        IReadOnlyList<TaskRecord> tasks, ContentUrl contentUrl, DateTimeOffset now)
    {
        var repository = (Repository)entry.Resource;
        var html = new StringBuilder();
        Open(html, $"Repository {entry.Namespace}/{entry.Name} · Packyard", now);
        html.Append("<section id=\"repository\"><h2>Repository ").Append(H(entry.Namespace)).Append('/').Append(H(entry.Name)).Append(' ')
            .Append(ReadyBadge(repository)).Append("</h2><p class=\"meta\">").Append(H(TypeName(repository.Spec.Type)));
        if (repository.Spec.RemoteRef is { } remoteRef)
        {
            html.Append(" · Remote ").Append(H(remoteRef.Name)).Append(" · ").Append(H((repository.Spec.Sync?.Mode ?? SyncMode.Additive).ToString()));
        }

        if (repository.Spec.Uploads?.Enabled == true)
        {
            html.Append(" · uploads enabled");
        }

        if (repository.Status?.NextSyncTime is { } next)
        {
            html.Append(" · next sync ").Append(H(Time(next)));
        }

        html.Append("</p><p>Last sync: ");
        LastSync(html, repository.Status?.LastSync);
        html.Append("</p>");
        if (entry.Error is { } error)
        {
            html.Append("<p class=\"error\">").Append(H(error)).Append("</p>");
        }

        Conditions(html, repository);
        var servedBy = resources.Where(r => r.Namespace == entry.Namespace && r.Resource is Distribution d && d.Spec.RepositoryRef.Name == entry.Name).ToList();
        if (servedBy.Count > 0)
        {
            html.Append("<p>Served by ");
            foreach (var (served, index) in servedBy.Select((s, i) => (s, i)))
            {
                var url = DistributionUrl((Distribution)served.Resource, contentUrl).ToString();
                html.Append(index > 0 ? ", " : "").Append("Distribution ").Append(H(served.Name)).Append(" at <a href=\"").Append(H(url)).Append("\">")
                    .Append(H(url)).Append("</a>");
            }

            html.Append("</p>");
        }

        html.Append("</section><section id=\"versions\"><h2>Versions (").Append(versions.Count).Append(")</h2>");
        if (versions.Count == 0)
        {
            html.Append("<p class=\"empty\">No version yet.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table class=\"versions\"><thead><tr><th>Version</th><th>Created</th><th>Added</th><th>Removed</th><th>Units</th><th>By</th></tr></thead><tbody>");
            foreach (var version in versions)
            {
                html.Append("<tr><td class=\"num\">").Append(version.Number).Append("</td><td>").Append(H(Time(version.Created)))
                    .Append("</td><td class=\"num\">").Append(version.Added).Append("</td><td class=\"num\">").Append(version.Removed)
                    .Append("</td><td class=\"num\">").Append(version.ContentCount).Append("</td><td>").Append(H(version.Reason)).Append("</td></tr>");
            }

            html.Append("</tbody></table></div>");
        }

        html.Append("</section><section id=\"recent-tasks\"><h2>Recent tasks</h2>");
        Tasks(html, tasks, "No task has run for this repository.");
        html.Append("</section>");
        return Close(html);
    }

    /// <summary>A plain page saying what was not found, linking back to the overview.</summary>
    public static string NotFound(string message, DateTimeOffset now)
    {
        var html = new StringBuilder();
        Open(html, "Not found · Packyard", now);
        html.Append("<p class=\"error\">").Append(H(message)).Append("</p><p><a href=\"/\">All resources</a></p>");
        return Close(html);
    }

    public static string RepositoryHref(string ns, string name) => $"{RepositoryPrefix}{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}";

    private static Uri DistributionUrl(Distribution distribution, ContentUrl contentUrl) =>
        Uri.TryCreate(distribution.Status?.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : new Uri(contentUrl.For(distribution.Spec.BasePath));

    private static void Open(StringBuilder html, string title, DateTimeOffset now) =>
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(H(title)).Append("</title><style>").Append(Style).Append("</style></head><body><header><h1><a href=\"/\">Packyard</a></h1>")
            .Append("<p>Read-only status · ").Append(H(Time(now))).Append("</p></header><main>");

    private static string Close(StringBuilder html) => html.Append("</main></body></html>\n").ToString();

    private static void Tasks(StringBuilder html, IReadOnlyList<TaskRecord> tasks, string empty)
    {
        if (tasks.Count == 0)
        {
            html.Append("<p class=\"empty\">").Append(H(empty)).Append("</p>");
            return;
        }

        html.Append("<div class=\"scroll\"><table class=\"tasks stack\"><thead><tr><th>Task</th><th>Kind</th><th>State</th><th>For</th><th>Queued</th><th>Started</th><th>Finished</th><th>Worker / outcome</th></tr></thead><tbody>");
        foreach (var task in tasks)
        {
            html.Append("<tr><td class=\"num\">").Append(task.Id).Append("</td><td>").Append(H(task.Kind)).Append("</td><td>").Append(H(task.State))
                .Append("</td><td>").Append(task.Resource is null ? "–" : H(task.Resource)).Append("</td><td>")
                .Append(H(Time(task.Created))).Append("</td><td>").Append(task.Started is { } started ? H(Time(started)) : "–").Append("</td><td>")
                .Append(task.Finished is { } finished ? H(Time(finished)) : "–").Append("</td><td class=\"msg\">")
                .Append(H(task.Message ?? task.Worker ?? "")).Append("</td></tr>");
        }

        html.Append("</tbody></table></div>");
    }

    private static void LastSync(StringBuilder html, SyncSummary? sync)
    {
        if (sync is null)
        {
            html.Append("<span class=\"empty\">none yet</span>");
            return;
        }

        html.Append(H(sync.Result?.ToString() ?? "running"));
        if ((sync.CompletionTime ?? sync.StartTime) is { } at)
        {
            html.Append(" at ").Append(H(Time(at)));
        }

        if (sync.Version is { } version)
        {
            html.Append(": version ").Append(version).Append(", ").Append(sync.Added ?? 0).Append(" added, ").Append(sync.Removed ?? 0).Append(" removed");
        }

        if (!string.IsNullOrEmpty(sync.Message))
        {
            html.Append(" — ").Append(H(sync.Message));
        }
    }

    private static void Conditions(StringBuilder html, object resource)
    {
        var conditions = KindRegistry.Of(resource).StatusOf(resource)?.Conditions;
        if (conditions is not { Count: > 0 })
        {
            html.Append("<p class=\"empty\">No conditions yet.</p>");
            return;
        }

        html.Append("<div class=\"scroll\"><table class=\"conditions stack\"><thead><tr><th>Condition</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr></thead><tbody>");
        foreach (var condition in conditions.OrderBy(c => c.Type == ConditionTypes.Ready ? 0 : 1))
        {
            html.Append("<tr><td>").Append(H(condition.Type)).Append("</td><td><span class=\"badge ").Append(condition.Status).Append("\">")
                .Append(condition.Status).Append("</span></td><td>").Append(H(condition.Reason)).Append("</td><td class=\"msg\">")
                .Append(H(condition.Message)).Append("</td><td>").Append(H(Time(condition.LastTransitionTime))).Append("</td></tr>");
        }

        html.Append("</tbody></table></div>");
    }

    private static string ReadyBadge(object resource)
    {
        var ready = KindRegistry.Of(resource).StatusOf(resource)?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        var status = ready?.Status ?? ConditionStatus.Unknown;
        return $"<span class=\"badge ready {status}\">Ready {status}</span>";
    }

    private static void ReadyMessage(StringBuilder html, object resource)
    {
        var ready = KindRegistry.Of(resource).StatusOf(resource)?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        if (ready is { Status: not ConditionStatus.True })
        {
            html.Append("<p class=\"error\">").Append(H(ready.Reason)).Append(": ").Append(H(ready.Message)).Append("</p>");
        }
    }

    private static string TypeName(ContentType type) => type.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string H(string value) => HtmlEncoder.Default.Encode(value);
}
