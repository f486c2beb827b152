using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// The real <c>packyard run</c> as a child process (the packyard.dll copied next to the test assembly) on a free
/// loopback port, with its output captured for failure messages. <see cref="WaitForAsync"/> polls
/// <c>GET /api/v1/resources</c> until a predicate holds; dispose kills the whole process tree.
/// </summary>
public sealed class PackyardProcess : IAsyncDisposable
{
    /// <summary>Default bound for waits: long enough for a cold start, short enough to fail a hung test quickly.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> output = [];
    private readonly Process process;

    private PackyardProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public Uri BaseUrl { get; }

    /// <summary>A client with <see cref="BaseUrl"/> as base address.</summary>
    public HttpClient Http { get; }

    public bool HasExited => process.HasExited;

    public int ProcessId => process.Id;

    /// <summary>Everything the process printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    /// <summary>The packyard.dll the test project copies next to its assembly (the operator project's build output as fallback).</summary>
    public static string Dll
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "packyard.dll");
            return File.Exists(beside) ? beside : Path.Combine(RepositoryRoot.Path, "operator", "Packyard", "bin", "Debug", "net10.0", "packyard.dll");
        }
    }

    /// <summary>
    /// Starts <c>packyard run --manifests <paramref name="manifests"/> --data-dir <paramref name="dataDirectory"/></c> on a free port;
    /// with <paramref name="database"/> null the process starts its own PostgreSQL (the embedded default).
    /// </summary>
    public static PackyardProcess Start(string manifests, string dataDirectory, string? database, params string[] extraArguments)
    {
        var port = HttpUpstream.FreePort();
        List<string> arguments = ["run", "--manifests", manifests, "--data-dir", dataDirectory,
            "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--interval", "5m"];
        if (database is not null)
        {
            arguments.AddRange(["--database", database]);
        }

        arguments.AddRange(extraArguments);
        return Launch(dataDirectory, port, arguments);
    }

    /// <summary>Starts <c>packyard ARGUMENTS</c> in <paramref name="workingDirectory"/>; <paramref name="port"/> is what its --listen names.</summary>
    public static PackyardProcess Launch(string workingDirectory, int port, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var packyard = new PackyardProcess(process, port);
        process.OutputDataReceived += (_, e) => packyard.Append(e.Data);
        process.ErrorDataReceived += (_, e) => packyard.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return packyard;
    }

    /// <summary>Runs a packyard command to completion (e.g. <c>validate DIR</c>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToCompletionAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The current <c>GET /api/v1/resources</c>, or null while the server does not answer yet.</summary>
    public async Task<JsonArray?> TryGetResourcesAsync()
    {
        try
        {
            using var response = await Http.GetAsync("api/v1/resources");
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonArray : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls the resources until <paramref name="predicate"/> holds and returns them; fails with <paramref name="what"/>, the last
    /// resources seen and the process output when it does not within <paramref name="timeout"/> (default 60 s) or the process exits.
    /// </summary>
    public async Task<JsonArray> WaitForAsync(string what, Func<ResourceSnapshot, bool> predicate, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        JsonArray? last = null;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"packyard exited with {process.ExitCode} while waiting until {what}.\nLast resources: {last?.ToJsonString() ?? "(none)"}\nOutput:\n{Output}");
            }

            last = await TryGetResourcesAsync() ?? last;
            if (last is not null && predicate(new ResourceSnapshot(last)))
            {
                return last;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException(
                    $"Not within {limit.TotalSeconds:0} s: {what}.\nLast resources: {last?.ToJsonString() ?? "(none)"}\nOutput:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls <paramref name="condition"/> (e.g. an HTTP check) until it holds, with the same failure message as <see cref="WaitForAsync"/>.</summary>
    public async Task WaitUntilAsync(string what, Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (process.HasExited || clock.Elapsed > limit)
            {
                var resources = await TryGetResourcesAsync();
                throw new TimeoutException(
                    $"Not within {limit.TotalSeconds:0} s: {what}.\nResources: {resources?.ToJsonString() ?? "(none)"}\nOutput:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Kills the process and its children at once (SIGKILL), as a crash or OOM kill would.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
        Http.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
            if (output.Count > 400)
            {
                output.RemoveRange(0, 200);
            }
        }
    }
}

/// <summary>A snapshot of <c>GET /api/v1/resources</c> with lookups for assertions.</summary>
public sealed class ResourceSnapshot(JsonArray items)
{
    public JsonArray Items { get; } = items;

    /// <summary>The resource of <paramref name="kind"/> named <paramref name="name"/> (namespace default), or null.</summary>
    public JsonNode? Find(string kind, string name) =>
        Items.FirstOrDefault(r => (string?)r!["kind"] == kind && (string?)r!["name"] == name);

    /// <summary>Its status object, or null.</summary>
    public JsonNode? Status(string kind, string name) => Find(kind, name)?["status"];

    /// <summary>A condition of the resource, or null.</summary>
    public JsonNode? Condition(string kind, string name, string type) =>
        (Status(kind, name)?["conditions"] as JsonArray)?.FirstOrDefault(c => (string?)c!["type"] == type);

    /// <summary>Ready=True for the resource's current generation.</summary>
    public bool IsReady(string kind, string name) =>
        Condition(kind, name, "Ready") is { } ready && (string?)ready["status"] == "True"
        && (long?)ready["observedGeneration"] == (long?)Find(kind, name)!["generation"];

    public long? LatestVersion(string repository) => (long?)Status("Repository", repository)?["latestVersion"];

    /// <summary>The version the Repository's latest publication serves (<c>status.publication.version</c>), or null.</summary>
    public long? PublishedVersion(string repository) => (long?)Status("Repository", repository)?["publication"]?["version"];
}
