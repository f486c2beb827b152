using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.Database;
using Packyard.Server;
using Spectre.Console;

namespace Packyard.Standalone;

/// <summary>
/// Builds standalone mode: a private PostgreSQL unless a connection string is given, migrations, the artifact store,
/// the engine, the content app on 127.0.0.1, and the manifests controller, in one process.
/// </summary>
public static class StandaloneHost
{
    public static async Task<(WebApplication App, EmbeddedPostgres? Postgres)> BuildAsync(StandaloneOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        EmbeddedPostgres? postgres = null;
        var connectionString = options.Database;
        if (connectionString is null)
        {
            postgres = await EmbeddedPostgres.StartAsync(Path.Combine(dataDirectory, "postgres"), cancellationToken);
            await postgres.CreateDatabaseAsync("packyard", cancellationToken);
            connectionString = postgres.ConnectionString("packyard");
            console.MarkupLine($"[grey]PostgreSQL[/] private cluster in {Markup.Escape(postgres.Directory)} on 127.0.0.1:{postgres.Port}");
        }

        var uploadToken = options.UploadToken ?? Environment.GetEnvironmentVariable("PACKYARD_UPLOAD_TOKEN") ?? await UploadTokenAsync(dataDirectory, cancellationToken);
        var storage = options.Storage ?? Path.Combine(dataDirectory, "artifacts");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Packyard", LogLevel.Information);
        builder.WebHost.UseUrls($"http://{options.Listen}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        var services = builder.Services;
        services.AddPackyardEngine(connectionString, storage);
        services.AddFileContent();
        services.AddPythonContent();
        services.AddDebContent();
        services.AddRpmContent();
        services.AddPackyardContentApp();
        services.AddSingleton(options);
        services.AddSingleton(console);
        services.AddSingleton<ResourceSet>();
        services.AddSingleton<ConsoleReporter>();
        services.AddSingleton<IEventRecorder>(sp => sp.GetRequiredService<ConsoleReporter>());
        services.AddSingleton(new ContentUrl($"http://{options.Listen}/"));
        services.AddSingleton<ReconcileServices>();
        services.AddSingleton<StandaloneController>();
        services.AddHostedService(sp => sp.GetRequiredService<StandaloneController>());
        services.AddSingleton<IReconcileTrigger>(sp => sp.GetRequiredService<StandaloneController>());
        services.AddSingleton<IRepositoryChangeNotifier>(sp => sp.GetRequiredService<StandaloneController>());
        services.AddSingleton<IUploadAuthorizer>(new StaticTokenUploadAuthorizer(uploadToken));

        var app = builder.Build();
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
        app.MapGet("/api/v1/resources", (ResourceSet resources) =>
            Results.Json(resources.Entries.Select(View).ToList(), StandaloneJsonContext.Default.ListResourceView));
        app.MapPackyardContent();
        console.MarkupLine($"[grey]Uploads[/] need the token in {Markup.Escape(Path.Combine(dataDirectory, "upload-token"))} (or --upload-token)");
        return (app, postgres);
    }

    private static ResourceView View(ResourceEntry entry)
    {
        var status = entry.Resource switch
        {
            Remote r => new ResourceStatusView(r.Status, null, null, null),
            Repository r => new ResourceStatusView(null, r.Status, null, null),
            Distribution d => new ResourceStatusView(null, null, d.Status, null),
            Promotion p => new ResourceStatusView(null, null, null, p.Status),
            _ => new ResourceStatusView(null, null, null, null),
        };
        return new ResourceView(entry.Key.Kind, entry.Key.Namespace, entry.Key.Name, entry.Generation, entry.Error, status);
    }

    private static async Task<string> UploadTokenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, "upload-token");
        if (File.Exists(path))
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await File.WriteAllTextAsync(path, token + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return token;
    }
}
