using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Downloads;

/// <summary>One <see cref="UpstreamClient"/> per distinct remote setting, shared by syncs and on-demand fetches.</summary>
public sealed class UpstreamClientFactory(RetryOptions retryOptions, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ConcurrentDictionary<RemoteSettings, Lazy<UpstreamClient>> clients = new();

    /// <summary>Keyed by what the client uses: the type block and verification keys (compared by reference) are left out.</summary>
    public UpstreamClient Get(RemoteSettings remote) =>
        clients.GetOrAdd(remote with { TypeOptions = null, VerificationKeys = null }, r => new Lazy<UpstreamClient>(() => new UpstreamClient(r, retryOptions, loggerFactory.CreateLogger<UpstreamClient>()))).Value;

    public void Dispose()
    {
        foreach (var client in clients.Values)
        {
            if (client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }
    }
}
