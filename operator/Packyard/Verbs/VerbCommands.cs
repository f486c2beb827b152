using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.ControllerRuntime;
using Packyard.Engine.History;
using Packyard.Manifests;
using Packyard.Operator;
using Packyard.Runtime;
using Packyard.Standalone;

namespace Packyard.Verbs;

/// <summary>
/// The verbs to inspect and act (<c>packyard get | versions | diff | sync | promote | events | logs</c>), the same as the
/// kubectl plugin <c>kubectl packyard …</c>, against a standalone Packyard or a cluster (<see cref="VerbOptions"/>).
/// Tables fit the terminal (80 columns when not one); <c>-o json|yaml</c> print the data. Exit codes: 0 done, 1 failed, 2 bad
/// usage, 3 Packyard unreachable, 4 not found.
/// </summary>
internal static class VerbCommands
{
    public static IEnumerable<Command> Create(bool clusterByDefault)
    {
        yield return Get(new VerbOptions(clusterByDefault));
        yield return Versions(new VerbOptions(clusterByDefault));
        yield return Diff(new VerbOptions(clusterByDefault));
        yield return Sync(new VerbOptions(clusterByDefault));
        yield return Promote(new VerbOptions(clusterByDefault));
        yield return Events(new VerbOptions(clusterByDefault));
        yield return Logs(new VerbOptions(clusterByDefault));
    }

    private static Command Get(VerbOptions options)
    {
        var kind = new Argument<string?>("kind") { Description = "Only this kind: remotes, repositories, distributions or promotions.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("get", "List every Packyard resource with Ready and its key figures.") { kind };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var only = parse.GetValue(kind) is { } k ? KindOf(k) : null;
            var rows = (await RowsAsync(target, cancellationToken)).Where(r => only is null || r.Kind == only)
                .Where(r => target.Namespace is null || r.Namespace == target.Namespace).ToList();
            Print(output, rows, VerbsJsonContext.Default.ListResourceRow, () => rows.Select(r => r.Namespace).Distinct().Count() > 1
                ? TextTable.Render(["KIND", "NAMESPACE", "NAME", "READY", "FIGURES", "MESSAGE"],
                    rows.Select(r => (IReadOnlyList<string>)[r.Kind, r.Namespace, r.Name, r.Ready, r.Figures, r.Message ?? ""]), TextTable.Width())
                : TextTable.Render(["KIND", "NAME", "READY", "FIGURES", "MESSAGE"],
                    rows.Select(r => (IReadOnlyList<string>)[r.Kind, r.Name, r.Ready, r.Figures, r.Message ?? ""]), TextTable.Width()));
            return 0;
        });
    }

    private static Command Versions(VerbOptions options)
    {
        var repository = new Argument<string>("repository") { Description = "The Repository." };
        var command = new Command("versions", "List every version of a Repository with its counts and dates.") { repository };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var name = parse.GetValue(repository)!;
            var versions = await target.RequireApi("versions").GetAsync(RepositoryPath(target, name, "versions"), VerbsJsonContext.Default.ListVersionInfo, cancellationToken);
            Print(output, versions, VerbsJsonContext.Default.ListVersionInfo, () => TextTable.Render(["VERSION", "CREATED", "ADDED", "REMOVED", "CONTENT", "BY", "PUBLISHED"],
                versions.Select(v => (IReadOnlyList<string>)[Num(v.Number), v.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Num(v.Added), Num(v.Removed), Num(v.ContentCount), v.Reason, v.Published ? "yes" : ""]), TextTable.Width()));
            return 0;
        });
    }

    private static Command Diff(VerbOptions options)
    {
        var repository = new Argument<string>("repository") { Description = "The Repository." };
        var from = new Argument<long>("from") { Description = "The older version." };
        var to = new Argument<long>("to") { Description = "The newer version." };
        var command = new Command("diff", "List the units added and removed between two versions of a Repository.") { repository, from, to };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var name = parse.GetValue(repository)!;
            var (a, b) = (parse.GetValue(from), parse.GetValue(to));
            var diff = await target.RequireApi("diff").GetAsync(
                RepositoryPath(target, name, string.Create(CultureInfo.InvariantCulture, $"diff?from={a}&to={b}")), VerbsJsonContext.Default.VersionDiff, cancellationToken);
            Print(output, diff, VerbsJsonContext.Default.VersionDiff, () =>
                TextTable.Render(["", "NAME", "VERSION"],
                    diff.Added.Select(u => (IReadOnlyList<string>)["+", u.Name, u.Version ?? ""])
                        .Concat(diff.Removed.Select(u => (IReadOnlyList<string>)["-", u.Name, u.Version ?? ""])), TextTable.Width())
                + string.Create(CultureInfo.InvariantCulture, $"{diff.Added.Count} added, {diff.Removed.Count} removed from version {diff.From} to {diff.To}\n"));
            return 0;
        });
    }

    private static Command Sync(VerbOptions options)
    {
        var repository = new Argument<string>("repository") { Description = "The Repository to sync now." };
        var command = new Command("sync", $"Sync a Repository now (sets {PackyardGroup.RequestedAtAnnotation}; status echoes it in lastHandledRequest).") { repository };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var name = parse.GetValue(repository)!;
            var ns = target.SingleNamespace;
            SyncRequested requested;
            if (target.Client is { } client)
            {
                await RequireAsync(client, PackyardKinds.Repository, ns, name, cancellationToken);
                var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
                var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [PackyardGroup.RequestedAtAnnotation] = at } } };
                await client.PatchAsync(PackyardKinds.Repository, ns, name, KubernetesPatch.Merge(patch), null, cancellationToken);
                requested = new SyncRequested(ns, name, at);
            }
            else
            {
                requested = await target.Api!.PostAsync(RepositoryPath(target, name, "sync"), VerbsJsonContext.Default.SyncRequested, cancellationToken);
            }

            Print(output, requested, VerbsJsonContext.Default.SyncRequested,
                () => $"repository {requested.Namespace}/{requested.Name}: sync requested ({PackyardGroup.RequestedAtAnnotation}: {requested.RequestedAt})\n");
            return 0;
        });
    }

    private static Command Promote(VerbOptions options)
    {
        var promotion = new Argument<string>("promotion") { Description = "The Promotion." };
        var version = new Option<long>("--version") { Description = "The source version to promote (spec.sourceVersion).", Required = true };
        var command = new Command("promote", "Pin a Promotion to a source version: writes spec.sourceVersion into its manifest file (standalone) or patches it (cluster).")
        {
            promotion, version,
        };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var name = parse.GetValue(promotion)!;
            var number = parse.GetValue(version);
            if (number < 1)
            {
                throw new VerbException("--version: versions start at 1", 2);
            }

            var ns = target.SingleNamespace;
            PromotionPinned pinned;
            if (target.Client is { } client)
            {
                var found = await RequireAsync(client, PackyardKinds.Promotion, ns, name, cancellationToken);
                var source = await client.TryGetAsync(PackyardKinds.Repository, ns, found.Spec.SourceRef.Name, cancellationToken);
                await CheckVersionAsync(target, ns, found.Spec.SourceRef.Name, source?.Status?.LatestVersion, number, cancellationToken);
                var patch = new JsonObject { ["spec"] = new JsonObject { ["sourceVersion"] = number } };
                await client.PatchAsync(PackyardKinds.Promotion, ns, name, KubernetesPatch.Merge(patch), null, cancellationToken);
                pinned = new PromotionPinned(ns, name, number, "cluster");
            }
            else
            {
                var resources = await target.Api!.GetAsync("api/v1/resources", StandaloneJsonContext.Default.ListResourceView, cancellationToken);
                var entry = resources.FirstOrDefault(r => r.Kind == KindNames.Promotion && r.Namespace == ns && r.Name == name)
                    ?? throw NotFound("promotion", ns, name, resources.Where(r => r.Kind == KindNames.Promotion && r.Namespace == ns).Select(r => r.Name));
                if (entry.File is not { } file || entry.Line is not { } line || !File.Exists(file))
                {
                    throw new VerbException($"promotion {ns}/{name}: its manifest file is not readable here ({entry.File ?? "unknown"}); run promote on the machine of `packyard run`");
                }

                var document = new ManifestLoader().LoadFile(file).FirstOrDefault(d => d.Kind == KindNames.Promotion && d.Name == name && d.Namespace == ns);
                if (document?.Object is Promotion spec)
                {
                    var source = resources.FirstOrDefault(r => r.Kind == KindNames.Repository && r.Namespace == ns && r.Name == spec.Spec.SourceRef.Name);
                    await CheckVersionAsync(target, ns, spec.Spec.SourceRef.Name, source?.Status.Repository?.LatestVersion, number, cancellationToken);
                }

                ManifestPin.Write(file, line, name, number);
                pinned = new PromotionPinned(ns, name, number, file);
            }

            Print(output, pinned, VerbsJsonContext.Default.PromotionPinned,
                () => string.Create(CultureInfo.InvariantCulture, $"promotion {pinned.Namespace}/{pinned.Name}: spec.sourceVersion set to {pinned.Version} ({(pinned.Where == "cluster" ? "patched" : "written to " + pinned.Where)})\n"));
            return 0;
        });
    }

    private static Command Events(VerbOptions options)
    {
        var name = new Argument<string?>("name") { Description = "Only the events of resources of this name.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("events", "List the events of Packyard's resources, oldest first.") { name };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var only = parse.GetValue(name);
            List<EventView> events;
            if (target.Client is { } client)
            {
                var kubernetes = client.Kubernetes;
                var list = target.Namespace is { } ns
                    ? await kubernetes.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: cancellationToken)
                    : await kubernetes.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: cancellationToken);
                events = list.Items.Where(e => e.InvolvedObject?.ApiVersion?.StartsWith(PackyardGroup.Name + "/", StringComparison.Ordinal) == true)
                    .Select(e => new EventView(e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata.CreationTimestamp, e.Type ?? "Normal", e.InvolvedObject.Kind,
                        e.InvolvedObject.NamespaceProperty ?? e.Metadata.NamespaceProperty, e.InvolvedObject.Name, e.Reason ?? "", e.Message ?? "", e.Count ?? 1))
                    .OrderBy(e => e.Time).ToList();
            }
            else
            {
                events = await target.Api!.GetAsync("api/v1/events", VerbsJsonContext.Default.ListEventView, cancellationToken);
                events = events.Where(e => target.Namespace is null || e.Namespace == target.Namespace).ToList();
            }

            events = events.Where(e => only is null || e.Name == only).ToList();
            var now = DateTimeOffset.UtcNow;
            Print(output, events, VerbsJsonContext.Default.ListEventView, () => TextTable.Render(["AGE", "TYPE", "REASON", "OBJECT", "MESSAGE"],
                events.Select(e => (IReadOnlyList<string>)[Age.Since(e.Time, now), e.Type, e.Reason, $"{e.Kind}/{e.Name}", e.Message]), TextTable.Width()));
            return 0;
        });
    }

    private static Command Logs(VerbOptions options)
    {
        var task = new Argument<string>("task") { Description = "A task number (status.progress.task, the Reconciling message), or a Repository for its newest task." };
        var command = new Command("logs", "Show a task as stored: what it worked on, its state, worker, progress and error.") { task };
        return Define(command, options, async (parse, target, output, cancellationToken) =>
        {
            var api = target.RequireApi("logs");
            var which = parse.GetValue(task)!;
            TaskRecord record;
            if (long.TryParse(which, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                record = await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"api/v1/tasks/{id}"), VerbsJsonContext.Default.TaskRecord, cancellationToken);
            }
            else
            {
                var tasks = await api.GetAsync(RepositoryPath(target, which, "tasks?limit=1"), VerbsJsonContext.Default.ListTaskRecord, cancellationToken);
                record = tasks.FirstOrDefault() ?? throw new VerbException($"repository {target.SingleNamespace}/{which} has no tasks yet", 4);
            }

            Print(output, record, VerbsJsonContext.Default.TaskRecord, () => Describe(record));
            return record.State == "failed" ? 1 : 0;
        });
    }

    private static string Describe(TaskRecord task)
    {
        static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
        var lines = new List<string>
        {
            $"Task:      {Num(task.Id)} ({task.Kind})",
            $"Resource:  {task.Resource ?? "-"}",
            $"State:     {task.State}",
            $"Worker:    {task.Worker ?? "-"} (attempt {Num(task.Attempts)})",
            $"Created:   {Time(task.Created)}",
            $"Started:   {Time(task.Started)}",
            $"Finished:  {Time(task.Finished)}",
        };
        if (task.Progress is { } p)
        {
            lines.Add($"Progress:  {Controllers.TaskProgressView.Summary(p.Phase, p.Done, p.Total, p.Bytes)} (at {Time(p.Updated)})");
        }

        lines.Add($"Message:   {task.Message ?? "-"}");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Runs a verb: resolves the target, prints the error of a failure on stderr and returns its exit code.</summary>
    private static Command Define(Command command, VerbOptions options, Func<ParseResult, VerbTarget, string, CancellationToken, Task<int>> action)
    {
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using var target = options.Resolve(parse);
                return await action(parse, target, parse.GetValue(options.Output) ?? "table", cancellationToken);
            }
            catch (VerbException e)
            {
                await Console.Error.WriteLineAsync($"packyard {command.Name}: {e.Message}");
                return e.ExitCode;
            }
            catch (KubernetesApiException e)
            {
                await Console.Error.WriteLineAsync($"packyard {command.Name}: the API server refused: {e.Message}");
                return 1;
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"packyard {command.Name}: the API server is unreachable: {e.Message}");
                return 3;
            }
        });
        return command;
    }

    /// <summary>JSON as people read it: '+' and non-ASCII letters as they are, not \u escapes.</summary>
    private static readonly JsonSerializerOptions Readable = new(VerbsJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void Print<T>(string output, T value, JsonTypeInfo<T> type, Func<string> table)
    {
        var text = output switch
        {
            "json" => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Readable.GetTypeInfo(typeof(T))) + "\n",
            "yaml" => YamlText.From(JsonSerializer.SerializeToNode(value, type)),
            _ => table(),
        };
        Console.Out.Write(text);
    }

    private static async Task<List<ResourceRow>> RowsAsync(VerbTarget target, CancellationToken cancellationToken)
    {
        if (target.Client is not { } client)
        {
            var views = await target.Api!.GetAsync("api/v1/resources", StandaloneJsonContext.Default.ListResourceView, cancellationToken);
            return views.Select(v => ResourceRows.Of(v.Kind, v.Namespace, v.Name,
                (ResourceStatus?)v.Status.Remote ?? (ResourceStatus?)v.Status.Repository ?? (ResourceStatus?)v.Status.Distribution ?? v.Status.Promotion, v.Error)).ToList();
        }

        var ns = target.Namespace;
        var rows = new List<ResourceRow>();
        rows.AddRange((await client.ListAsync(PackyardKinds.Remote, ns, null, cancellationToken)).Items.Select(r => ResourceRows.Of(r.Kind, r.Namespace, r.Name, r.Status, null)));
        rows.AddRange((await client.ListAsync(PackyardKinds.Repository, ns, null, cancellationToken)).Items.Select(r => ResourceRows.Of(r.Kind, r.Namespace, r.Name, r.Status, null)));
        rows.AddRange((await client.ListAsync(PackyardKinds.Distribution, ns, null, cancellationToken)).Items.Select(r => ResourceRows.Of(r.Kind, r.Namespace, r.Name, r.Status, null)));
        rows.AddRange((await client.ListAsync(PackyardKinds.Promotion, ns, null, cancellationToken)).Items.Select(r => ResourceRows.Of(r.Kind, r.Namespace, r.Name, r.Status, null)));
        return rows;
    }

    /// <summary>The resource, or a not-found error with "did you mean" over the namespace's resources of that kind.</summary>
    private static async Task<T> RequireAsync<T>(ResourceClient client, ResourceKind<T> kind, string ns, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<k8s.Models.V1ObjectMeta>
    {
        if (await client.TryGetAsync(kind, ns, name, cancellationToken) is { } found)
        {
            return found;
        }

        var known = (await client.ListAsync(kind, ns, null, cancellationToken)).Items.Select(i => i.Metadata.Name);
        throw NotFound(kind.Kind.ToLowerInvariant(), ns, name, known);
    }

    /// <summary>Fails unless <paramref name="version"/> exists in the source repository (its versions from Packyard's API, or its latest from status).</summary>
    private static async Task CheckVersionAsync(VerbTarget target, string ns, string repository, long? latest, long version, CancellationToken cancellationToken)
    {
        if (target.Api is { } api)
        {
            var versions = await api.GetAsync($"api/v1/namespaces/{Uri.EscapeDataString(ns)}/repositories/{Uri.EscapeDataString(repository)}/versions",
                VerbsJsonContext.Default.ListVersionInfo, cancellationToken);
            if (versions.All(v => v.Number != version))
            {
                throw new VerbException(string.Create(CultureInfo.InvariantCulture,
                    $"repository {ns}/{repository} has no version {version} (it has {string.Join(", ", versions.Select(v => v.Number).Order())})"), 4);
            }
        }
        else if (latest is { } newest && version > newest)
        {
            throw new VerbException(string.Create(CultureInfo.InvariantCulture, $"repository {ns}/{repository} has no version {version} (its latest is {newest})"), 4);
        }
    }

    private static VerbException NotFound(string kind, string ns, string name, IEnumerable<string> known) =>
        new($"{kind} {ns}/{name} not found{Suggestions.DidYouMean(name, known)}", 4);

    private static string RepositoryPath(VerbTarget target, string name, string rest) =>
        $"api/v1/namespaces/{Uri.EscapeDataString(target.SingleNamespace)}/repositories/{Uri.EscapeDataString(name)}/{rest}";

    private static string KindOf(string text) => text.ToLowerInvariant() switch
    {
        "remote" or "remotes" or "premote" => KindNames.Remote,
        "repository" or "repositories" or "repo" or "repos" or "prepo" => KindNames.Repository,
        "distribution" or "distributions" or "dist" => KindNames.Distribution,
        "promotion" or "promotions" => KindNames.Promotion,
        _ => throw new VerbException($"unknown kind '{text}'{Suggestions.DidYouMean(text.ToLowerInvariant(), ["remotes", "repositories", "distributions", "promotions"])}", 2),
    };

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
