using System.Diagnostics;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// Runs the real OCI tools the container tests drive (skopeo, umoci, podman, buildah) with a bounded wait: the
/// process tree is killed when the timeout passes or the token is cancelled, and a non-zero exit throws with the
/// tool's output. <see cref="TryRunAsync"/> returns the exit code for tests that expect a failure (a 401).
/// </summary>
public static class OciTool
{
    /// <summary>Long enough for a 300 MB image on a loaded 2-core machine; tests pass shorter ones.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Runs <paramref name="program"/> and returns its standard output; throws with both outputs when it fails.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var (code, output, error) = await TryRunAsync(program, list, timeout, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', list)} exited {code}:\n{output}\n{error}");
        }

        return output;
    }

    /// <summary>Runs <paramref name="program"/> and returns its exit code, standard output and standard error.</summary>
    public static async Task<(int Code, string Output, string Error)> TryRunAsync(string program, IEnumerable<string> arguments,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout ?? DefaultTimeout}:\n" +
                $"{await output}\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary><c>skopeo ARGS</c> (callers pass <c>--src-tls-verify=false</c> etc. themselves: the peers are plain HTTP).</summary>
    public static Task<string> SkopeoAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RunAsync("skopeo", arguments, timeout, cancellationToken);

    /// <summary><c>umoci ARGS</c>.</summary>
    public static Task<string> UmociAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RunAsync("umoci", arguments, timeout, cancellationToken);

    internal static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
