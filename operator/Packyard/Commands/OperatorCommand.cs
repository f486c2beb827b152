using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Packyard.Api.Resources;
using Packyard.Hosting;
using Packyard.Operator;
using Spectre.Console;

namespace Packyard.Commands;

/// <summary>
/// <c>packyard operator</c>: reconciles the four kinds in a Kubernetes cluster (controller role, one leader by a Lease), runs
/// queued syncs (worker role, any number of replicas, PostgreSQL only) and serves distributions (content role), with the same
/// --database, --storage and --listen as <c>packyard run</c>.
/// </summary>
internal static class OperatorCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file; default: $KUBECONFIG or ~/.kube/config, else the in-cluster service account." };
        var database = new Option<string?>("--database") { Description = "PostgreSQL connection string (env PACKYARD_DATABASE); default: a private PostgreSQL under --data-dir." };
        var storage = new Option<string?>("--storage") { Description = "Artifact store: a path, file:///path or s3://KEY:SECRET@host:port/bucket (env PACKYARD_STORAGE); default: --data-dir/artifacts." };
        var listen = new Option<string?>("--listen") { Description = "host:port for content, probes and /metrics (env PACKYARD_LISTEN); default 127.0.0.1:8080, 0.0.0.0:8080 in a pod." };
        var publicUrl = new Option<string?>("--public-url") { Description = "Base URL clients use to reach distributions, shown in status.url (env PACKYARD_PUBLIC_URL); default http://LISTEN/." };
        var dataDir = new Option<string>("--data-dir") { Description = "Folder for the private database and default artifact store.", DefaultValueFactory = _ => ".packyard" };
        var keepDatabase = DatabaseOptions.KeepDatabase();
        var unsafeNoFsync = DatabaseOptions.UnsafeNoFsync();
        var secretKeyFile = new Option<string?>("--secret-key-file") { Description = "File with the 256-bit key (base64, hex or raw) that encrypts Remote credentials in the database (env PACKYARD_SECRET_KEY_FILE); every replica needs the same key. Default: --data-dir/secret-key, generated when missing." };
        var roles = new Option<string[]>("--role", "--roles")
        {
            Description = "Roles to run: controller, worker, content (repeat or comma-separate; default all). A worker alone needs only the database and the store.",
        };
        var watchNamespace = new Option<string?>("--namespace") { Description = "Watch only this namespace; default: all namespaces." };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Run the controllers only while holding the Lease.", DefaultValueFactory = _ => true };
        var leaseName = new Option<string>("--leader-election-id") { Description = "Name of the Lease.", DefaultValueFactory = _ => "packyard-controller" };
        var leaseNamespace = new Option<string?>("--leader-election-namespace") { Description = "Namespace of the Lease; default: $POD_NAMESPACE, else the kubeconfig's namespace." };
        var identity = new Option<string?>("--identity") { Description = "This replica's identity in the Lease; default: $POD_NAME, else host-pid." };
        var leaseDuration = new Option<string>("--lease-duration") { Description = "How long a Lease holds without renewal (Go duration).", DefaultValueFactory = _ => "15s" };
        var renewDeadline = new Option<string>("--renew-deadline") { Description = "The leader steps down when it could not renew for this long.", DefaultValueFactory = _ => "10s" };
        var retryPeriod = new Option<string>("--retry-period") { Description = "How often to acquire or renew the Lease.", DefaultValueFactory = _ => "2s" };
        var resync = new Option<string>("--resync") { Description = "Reconcile every resource at least this often (Go duration).", DefaultValueFactory = _ => "10m" };
        var concurrency = new Option<int>("--concurrency") { Description = "Reconciles at once (syncs, publishes, promotions and orphan cleanup run on workers: --worker-concurrency).", DefaultValueFactory = _ => 4 };
        var workerConcurrency = new Option<int>("--worker-concurrency") { Description = "Tasks (sync, publish, promote, reclaim) a worker runs at once.", DefaultValueFactory = _ => 4 };
        var taskHeartbeat = new Option<string>("--task-heartbeat") { Description = "How often a worker refreshes a running task's heartbeat (Go duration).", DefaultValueFactory = _ => "5s" };
        var taskTimeout = new Option<string>("--task-timeout") { Description = "A running task whose heartbeat is older than this is taken over by another worker (Go duration).", DefaultValueFactory = _ => "60s" };
        var deletionGrace = DurationFlag.DeletionGrace();
        var orphanCleanup = DurationFlag.OrphanCleanupInterval();
        var progressInterval = DurationFlag.ProgressInterval();
        var ui = new Option<bool>("--ui") { Description = "Serve the read-only status page at / of the content role (every resource, versions, tasks, client set-up); unauthenticated unless the ingress adds auth." };
        var uploadToken = new Option<string?>("--upload-token") { Description = "One shared token uploads must present (env PACKYARD_UPLOAD_TOKEN); without it, uploads are authorised by the cluster (TokenReview + SubjectAccessReview on repositories/content)." };

        var command = new Command("operator", "Run Packyard as a Kubernetes operator: reconcile Remotes, Repositories, Distributions and Promotions; serve content.")
        {
            kubeconfig, database, storage, listen, publicUrl, dataDir, secretKeyFile, roles, watchNamespace, leaderElect, leaseName, leaseNamespace, identity,
            leaseDuration, renewDeadline, retryPeriod, resync, concurrency, workerConcurrency, taskHeartbeat, taskTimeout, uploadToken, deletionGrace.Option, orphanCleanup.Option, progressInterval.Option, ui,
            keepDatabase, unsafeNoFsync,
        };
        var retry = new SyncRetryFlags();
        foreach (var option in retry.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var selected = OperatorRoles.Parse(parse.GetValue(roles) ?? [], out var roleError);
            if (selected is null)
            {
                await Console.Error.WriteLineAsync(roleError);
                return 2;
            }

            var durations = new Dictionary<string, TimeSpan>();
            foreach (var option in new[] { leaseDuration, renewDeadline, retryPeriod, resync, taskHeartbeat, taskTimeout })
            {
                if (!GoDuration.TryParse(parse.GetValue(option), out var value, out var error) || value <= TimeSpan.Zero)
                {
                    await Console.Error.WriteLineAsync($"{option.Name}: {error ?? "must be positive"}");
                    return 2;
                }

                durations[option.Name] = value;
            }

            if (durations["--renew-deadline"] >= durations["--lease-duration"] || durations["--retry-period"] >= durations["--renew-deadline"])
            {
                await Console.Error.WriteLineAsync("--lease-duration must exceed --renew-deadline, which must exceed --retry-period");
                return 2;
            }

            if (parse.GetValue(concurrency) < 1 || parse.GetValue(workerConcurrency) < 1)
            {
                await Console.Error.WriteLineAsync(parse.GetValue(concurrency) < 1 ? "--concurrency: must be at least 1" : "--worker-concurrency: must be at least 1");
                return 2;
            }

            if (durations["--task-heartbeat"] >= durations["--task-timeout"])
            {
                await Console.Error.WriteLineAsync("--task-timeout must exceed --task-heartbeat");
                return 2;
            }

            if (deletionGrace.Read(parse, out var graceError) is not { } grace)
            {
                await Console.Error.WriteLineAsync(graceError);
                return 2;
            }

            if (orphanCleanup.Read(parse, out var orphanError) is not { } orphanInterval)
            {
                await Console.Error.WriteLineAsync(orphanError);
                return 2;
            }

            if (progressInterval.Read(parse, out var progressError) is not { } progressEvery)
            {
                await Console.Error.WriteLineAsync(progressError);
                return 2;
            }

            if (retry.Read(parse, out var retryError) is not { } syncRetry)
            {
                await Console.Error.WriteLineAsync(retryError);
                return 2;
            }

            var inPod = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));
            var options = new OperatorOptions
            {
                Engine = new EngineHostOptions
                {
                    Database = parse.GetValue(database) ?? Env("PACKYARD_DATABASE"),
                    Storage = parse.GetValue(storage) ?? Env("PACKYARD_STORAGE"),
                    Listen = parse.GetValue(listen) ?? Env("PACKYARD_LISTEN") ?? (inPod ? "0.0.0.0:8080" : "127.0.0.1:8080"),
                    PublicUrl = parse.GetValue(publicUrl) ?? Env("PACKYARD_PUBLIC_URL"),
                    DataDirectory = parse.GetValue(dataDir)!,
                    DeletionGrace = grace,
                    OrphanCleanupInterval = orphanInterval,
                    EmbeddedDatabase = new() { Durable = !parse.GetValue(unsafeNoFsync) },
                    KeepDatabase = parse.GetValue(keepDatabase),
                    SecretKeyFile = parse.GetValue(secretKeyFile) ?? Env("PACKYARD_SECRET_KEY_FILE"),
                    SyncRetry = syncRetry,
                },
                Roles = selected,
                Kubeconfig = parse.GetValue(kubeconfig),
                Namespace = parse.GetValue(watchNamespace),
                LeaderElect = parse.GetValue(leaderElect),
                LeaseName = parse.GetValue(leaseName)!,
                LeaseNamespace = parse.GetValue(leaseNamespace),
                Identity = parse.GetValue(identity),
                LeaseDuration = durations["--lease-duration"],
                RenewDeadline = durations["--renew-deadline"],
                RetryPeriod = durations["--retry-period"],
                Resync = durations["--resync"],
                Concurrency = parse.GetValue(concurrency),
                WorkerConcurrency = parse.GetValue(workerConcurrency),
                TaskHeartbeat = durations["--task-heartbeat"],
                TaskTimeout = durations["--task-timeout"],
                ProgressInterval = progressEvery,
                UploadToken = parse.GetValue(uploadToken) ?? Env("PACKYARD_UPLOAD_TOKEN"),
                Ui = parse.GetValue(ui),
            };
            var console = AnsiConsole.Console;
            WebApplication app;
            Engine.Database.EmbeddedPostgres? postgres;
            try
            {
                (app, postgres) = await OperatorHost.BuildAsync(options, console, cancellationToken);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or FormatException)
            {
                await Console.Error.WriteLineAsync($"packyard operator: {e.Message}");
                return 1;
            }

            console.MarkupLine($"[green]Packyard operator[/] roles {Markup.Escape(selected.ToString())} on http://{Markup.Escape(options.Engine.Listen)}/");
            await EngineHost.RunAsync(app, postgres, options.Engine.KeepDatabase);
            return 0;
        });
        return command;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
