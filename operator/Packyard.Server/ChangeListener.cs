using Microsoft.Extensions.Hosting;
using Npgsql;
using Packyard.Engine.Catalog;

namespace Packyard.Server;

/// <summary>LISTENs for catalog and publication changes made by any replica and invalidates the distribution cache.</summary>
public sealed class ChangeListener(NpgsqlDataSource dataSource, DistributionCache cache) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => cache.Invalidate();
                await using (var listen = new NpgsqlCommand($"listen {EngineCatalog.ChangeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                cache.Invalidate();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException)
            {
                // Database unreachable: the cache's expiry keeps serving correct within seconds; retry listening.
                cache.Invalidate();
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}
