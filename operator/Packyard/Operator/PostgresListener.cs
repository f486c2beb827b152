using Microsoft.Extensions.Logging;
using Npgsql;

namespace Packyard.Operator;

/// <summary>
/// LISTENs on a PostgreSQL channel on a connection of its own and hands each notification's payload to a callback, reconnecting
/// (and calling <c>onConnected</c>, so the caller can catch up on what it missed) until <see cref="RunAsync"/> is cancelled.
/// </summary>
internal static class PostgresListener
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(
        NpgsqlDataSource dataSource, string channel, Action<string> onNotification, Action onConnected, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, e) => onNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen {channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                onConnected();
                while (true)
                {
                    // A timeout returns false; a broken connection throws and is reopened.
                    if (!await connection.WaitAsync(IdleCheck, cancellationToken))
                    {
                        await using var ping = new NpgsqlCommand("select 1", connection);
                        await ping.ExecuteScalarAsync(cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                OperatorLog.ListenFailed(logger, channel, e);
            }

            try
            {
                await Task.Delay(ReconnectDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
