using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Downloads;

/// <summary>One <see cref="UpstreamClient"/> per distinct remote setting, shared by syncs and on-demand fetches.</summary>
public sealed class UpstreamClientFactory(RetryOptions retryOptions, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ConcurrentDictionary<RemoteSettings, Lazy<UpstreamClient>> clients = new();

    public UpstreamClient Get(RemoteSettings remote) =>
        clients.GetOrAdd(remote, r => new Lazy<UpstreamClient>(() => new UpstreamClient(r, retryOptions, loggerFactory.CreateLogger<UpstreamClient>()))).Value;

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
