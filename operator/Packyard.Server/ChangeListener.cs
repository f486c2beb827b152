using Microsoft.Extensions.Hosting;
using Npgsql;
using Packyard.Engine.Catalog;

namespace Packyard.Server;

/// <summary>
/// LISTENs for catalog and publication changes made by any replica and invalidates the distribution cache and the
/// per-publication path answers (a distribution moved to a new publication: the old one's answers are dropped).
/// </summary>
public sealed class ChangeListener(NpgsqlDataSource dataSource, DistributionCache cache, FileLookup files) : BackgroundService
{
    private void Invalidate()
    {
        cache.Invalidate();
        files.Invalidate();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Invalidate();
                await using (var listen = new NpgsqlCommand($"listen {EngineCatalog.ChangeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Invalidate();
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
                Invalidate();
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}
