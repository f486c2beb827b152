using System.Diagnostics;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Python;

/// <summary>The content app plus a python venv (Debian's /usr/bin/python3) with pip, created once per test class.</summary>
public sealed class PythonFixture : ContentAppFixture
{
    private readonly TemporaryDirectory work = new();
    private readonly SemaphoreSlim venvGate = new(1, 1);
    private string? venv;

    public string Work => work.Path;

    /// <summary>A fresh folder under the fixture's work folder.</summary>
    public string NewFolder(string prefix)
    {
        var path = Path.Combine(work.Path, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The venv's pip, created on first use.</summary>
    public async Task<string> PipAsync()
    {
        await venvGate.WaitAsync();
        try
        {
            if (venv is null)
            {
                var path = Path.Combine(work.Path, "venv");
                var (code, output) = await RunAsync("/usr/bin/python3", ["-m", "venv", path]);
                Assert.True(code == 0, output);
                venv = path;
            }

            return Path.Combine(venv, "bin", "pip");
        }
        finally
        {
            venvGate.Release();
        }
    }

    /// <summary>Runs pip with the isolated, offline-friendly options of TEST-PEERS.md against a distribution's index.</summary>
    public async Task<(int Code, string Output)> PipWithIndexAsync(string basePath, params string[] arguments)
    {
        var pip = await PipAsync();
        string[] common = ["--isolated", "--disable-pip-version-check", "--no-cache-dir", "--index-url", $"{BaseAddress}{basePath}/simple/"];
        return await RunAsync(pip, [arguments[0], .. common, .. arguments[1..]]);
    }

    public static async Task<(int Code, string Output)> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PIP_NO_INPUT"] = "1";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A python repository (uploads enabled) served at a new base path.</summary>
    public async Task<(long Id, string Name, string BasePath)> PythonRepositoryAsync(bool uploadsEnabled = true)
    {
        var name = $"py-{Guid.NewGuid():N}";
        var id = await Catalog.EnsureRepositoryAsync("default", name, "python", CancellationToken.None);
        await Catalog.SetUploadsEnabledAsync(id, uploadsEnabled, CancellationToken.None);
        var basePath = UniqueBasePath("pypi");
        await DistributeAsync(basePath, id);
        return (id, name, basePath);
    }

    /// <summary>Syncs <paramref name="upstream"/> with the given <c>spec.python</c> JSON into the repository and publishes.</summary>
    public async Task<SyncOutcome> SyncAsync((long Id, string Name, string BasePath) repository, Uri upstream, string optionsJson = "{}",
        DownloadPolicy policy = DownloadPolicy.Immediate)
    {
        var (settings, remoteId) = await RemoteAsync($"remote-{repository.Name}", upstream,
            s => s with { Type = "python", TypeOptions = TypeOptionsJson.Read<RemoteTypeOptions>("python", optionsJson), Policy = policy });
        var outcome = await Get<SyncService>().SyncAsync(new SyncRequest(repository.Id, repository.Name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None);
        await Get<PublicationService>().PublishAsync(repository.Id, repository.Name, "python", outcome.Version, PublishOptions.None, CancellationToken.None);
        Distributions.Invalidate();
        return outcome;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        work.Dispose();
        venvGate.Dispose();
    }
}
