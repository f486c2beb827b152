using System.Diagnostics;
using System.Globalization;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>
/// One control-plane binary (etcd, kube-apiserver, kube-controller-manager) run under a small bash watchdog that stops it
/// when the test process goes away, even by kill -9, so no server outlives its test run. Output goes to a log file.
/// </summary>
internal sealed class EnvtestProcess : IAsyncDisposable
{
    // The watchdog forwards TERM to the server, and stops it once the test host (or the server) is gone.
    private const string Watchdog =
        "host=$1; log=$2; shift 2; \"$@\" >>\"$log\" 2>&1 </dev/null & child=$!; " +
        "trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT; " +
        "while kill -0 \"$host\" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5 & wait $!; done; " +
        "kill -TERM $child 2>/dev/null; wait $child";

    private readonly Process process;

    private EnvtestProcess(string name, Process process, string logFile)
    {
        Name = name;
        this.process = process;
        LogFile = logFile;
    }

    public string Name { get; }

    public string LogFile { get; }

    public bool HasExited => process.HasExited;

    public static EnvtestProcess Start(string name, string binary, string logFile, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", Watchdog, "envtest-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), logFile, binary }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return new EnvtestProcess(name, Process.Start(start)!, logFile);
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Stops the server (TERM through the watchdog) and waits for it, at most 10 s (kube-apiserver drains open watches slowly).</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
    }
}
