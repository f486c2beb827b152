using System.Diagnostics;
using System.Text.Json;
using Packyard.Kubernetes.Models;

namespace Packyard.Kubernetes.Configuration;

/// <summary>
/// Runs a kubeconfig exec plugin and reads the ExecCredential it prints. The token is cached until its
/// expirationTimestamp (less a margin) or until the server rejects it. Client certificates from plugins are not supported.
/// </summary>
internal sealed class ExecCredentialPlugin(ExecConfig config)
{
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim gate = new(1, 1);
    private string? token;
    private DateTimeOffset? expires;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (token is not null && (expires is null || expires.Value - ExpiryMargin > DateTimeOffset.UtcNow))
            {
                return token;
            }

            var credential = await RunAsync(cancellationToken).ConfigureAwait(false);
            token = credential.Status?.Token
                ?? throw new InvalidOperationException($"The exec credential plugin {config.Command} returned no status.token.");
            expires = credential.Status.ExpirationTimestamp;
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forget the cached token (the server answered 401).</summary>
    public void Invalidate() => token = null;

    private async Task<ExecCredential> RunAsync(CancellationToken cancellationToken)
    {
        var command = config.Command;
        if (!Path.IsPathRooted(command) && command.Contains('/', StringComparison.Ordinal) && config.BaseDirectory is not null)
        {
            command = Path.Combine(config.BaseDirectory, command);
        }

        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in config.Args)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in config.Env)
        {
            start.Environment[name] = value;
        }

        var info = new ExecCredential { ApiVersion = config.ApiVersion, Spec = new ExecCredentialSpec { Interactive = false } };
        start.Environment["KUBERNETES_EXEC_INFO"] = JsonSerializer.Serialize(info, KubernetesJsonContext.Default.ExecCredential);

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"The exec credential plugin {command} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var stdout = await output.ConfigureAwait(false);
        var stderr = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The exec credential plugin {command} exited with code {process.ExitCode}: {stderr.Trim()}");
        }

        try
        {
            return JsonSerializer.Deserialize(stdout, KubernetesJsonContext.Default.ExecCredential)
                ?? throw new InvalidOperationException($"The exec credential plugin {command} printed no ExecCredential.");
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"The exec credential plugin {command} printed invalid JSON: {exception.Message}", exception);
        }
    }
}
