using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Packyard.Operator;

/// <summary>
/// <c>/metrics</c> in Prometheus' text format, the same in operator and standalone mode: <see cref="OperatorMetrics"/> (reconciles,
/// syncs, downloaded and served bytes, the work queue, memory) and the task queue's counts by state, read when scraped.
/// </summary>
public static class MetricsEndpoint
{
    public static void AddMetrics(IServiceCollection services)
    {
        services.AddSingleton<OperatorMetrics>();
        services.AddSingleton(_ => new PrometheusTextExporter(OperatorMetrics.MeterName));
    }

    /// <summary>Maps <c>/metrics</c>; the exporter is created first, before anything records, so no measurement is missed.</summary>
    public static void MapMetrics(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<PrometheusTextExporter>();
        app.MapGet("/metrics", RenderAsync);
    }

    /// <summary>Counts the bytes of every response of the content app (<c>packyard_served_bytes_total</c>).</summary>
    public static void CountServedBytes(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.Services.GetRequiredService<OperatorMetrics>();
        app.Use((context, next) => ServedBytes.CountAsync(context, next, metrics));
    }

    private static async Task<IResult> RenderAsync(PrometheusTextExporter exporter, OperatorMetrics metrics, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            var byState = new Dictionary<string, long>(StringComparer.Ordinal) { ["queued"] = 0, ["running"] = 0, ["succeeded"] = 0, ["failed"] = 0, ["canceled"] = 0 };
            await using var command = dataSource.CreateCommand("select state, count(*) from tasks group by state");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                byState[reader.GetString(0)] = reader.GetInt64(1);
            }

            metrics.Tasks(byState);
        }
        catch (NpgsqlException)
        {
            // The database is down: the task gauges keep their last values; /readyz reports the outage.
        }

        return Results.Text(exporter.Render(), PrometheusTextExporter.ContentType);
    }
}
