using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Packyard.Api.Resources;
using Packyard.Hosting;
using Packyard.Standalone;
using Spectre.Console;

namespace Packyard.Commands;

/// <summary><c>packyard run --manifests DIR</c>: standalone mode, the embedded default.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var manifests = new Option<string>("--manifests") { Description = "Folder of manifests (a git checkout); watched for changes.", Required = true };
        var database = new Option<string?>("--database") { Description = "PostgreSQL connection string; default: a private PostgreSQL under --data-dir." };
        var storage = new Option<string?>("--storage") { Description = "Artifact store: a path, file:///path or s3://KEY:SECRET@host:port/bucket; default: --data-dir/artifacts." };
        var listen = new Option<string>("--listen") { Description = "host:port to serve on.", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var dataDir = new Option<string>("--data-dir") { Description = "Folder for the private database, artifacts and the upload token.", DefaultValueFactory = _ => ".packyard" };
        var uploadToken = new Option<string?>("--upload-token") { Description = "Token uploads must present (Bearer, or as the basic-auth password)." };
        var secretKeyFile = new Option<string?>("--secret-key-file") { Description = "File with the 256-bit key (base64, hex or raw) that encrypts Remote credentials in the database; default: --data-dir/secret-key, generated when missing." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print Packyard's informational logs (events and progress are printed without it)." };
        var interval = new Option<string>("--interval") { Description = "Reconcile everything at least this often (Go duration).", DefaultValueFactory = _ => "5m" };
        var deletionGrace = DurationFlag.DeletionGrace();
        var orphanCleanup = DurationFlag.OrphanCleanupInterval();
        var progressInterval = DurationFlag.ProgressInterval();

        var keepDatabase = DatabaseOptions.KeepDatabase();
        var unsafeNoFsync = DatabaseOptions.UnsafeNoFsync();

        var command = new Command("run", "Run Packyard standalone on a folder of manifests: sync, publish and serve on 127.0.0.1.")
        {
            manifests, database, storage, listen, dataDir, uploadToken, interval, deletionGrace.Option, orphanCleanup.Option, progressInterval.Option, keepDatabase, unsafeNoFsync, secretKeyFile, verbose,
        };
        var retry = new SyncRetryFlags();
        foreach (var option in retry.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(manifests)!;
            if (!Directory.Exists(folder))
            {
                await Console.Error.WriteLineAsync($"--manifests: folder '{folder}' does not exist");
                return 2;
            }

            if (!GoDuration.TryParse(parse.GetValue(interval), out var every, out var error))
            {
                await Console.Error.WriteLineAsync($"--interval: {error}");
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

            var options = new StandaloneOptions
            {
                ManifestsDirectory = Path.GetFullPath(folder),
                Database = parse.GetValue(database),
                Storage = parse.GetValue(storage),
                Listen = parse.GetValue(listen)!,
                DataDirectory = parse.GetValue(dataDir)!,
                UploadToken = parse.GetValue(uploadToken),
                Verbose = parse.GetValue(verbose),
                Interval = every,
                DeletionGrace = grace,
                OrphanCleanupInterval = orphanInterval,
                ProgressInterval = progressEvery,
                EmbeddedDatabase = new() { Durable = !parse.GetValue(unsafeNoFsync) },
                KeepDatabase = parse.GetValue(keepDatabase),
                SecretKeyFile = parse.GetValue(secretKeyFile),
                SyncRetry = syncRetry,
            };
            var console = ConsoleReporter.Configure(AnsiConsole.Console);
            console.MarkupLine($"[green]Packyard[/] starting on the manifests in {Markup.Escape(options.ManifestsDirectory)} "
                + (options.Database is null ? $"with a private PostgreSQL under {Markup.Escape(Path.GetFullPath(options.DataDirectory))}…" : "…"));
            WebApplication app;
            Packyard.Engine.Database.EmbeddedPostgres? postgres;
            try
            {
                (app, postgres) = await StandaloneHost.BuildAsync(options, console, cancellationToken);
            }
            catch (Engine.Secrets.SecretKeyFileException e)
            {
                await Console.Error.WriteLineAsync($"packyard run: {e.Message}");
                return 1;
            }

            console.MarkupLine($"[green]Packyard[/] serving http://{Markup.Escape(options.Listen)}/ from manifests in {Markup.Escape(options.ManifestsDirectory)}");
            await EngineHost.RunAsync(app, postgres, options.KeepDatabase);
            return 0;
        });
        return command;
    }
}
