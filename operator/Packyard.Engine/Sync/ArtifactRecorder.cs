using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Packyard.Engine.Storage;

namespace Packyard.Engine.Sync;

/// <summary>
/// Records stored artifacts in the artifacts table in batches (up to 500 rows, or every 250 ms) instead of one
/// statement per file. Disposing flushes what is left, also after a failure, so an interrupted sync keeps what it
/// downloaded and the next one does not download it again.
/// </summary>
internal sealed class ArtifactRecorder : IAsyncDisposable
{
    private const int BatchSize = 500;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    private readonly Channel<StoredArtifact> pending = Channel.CreateUnbounded<StoredArtifact>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource dataSource;
    private readonly Task writer;

    public ArtifactRecorder(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        writer = Task.Run(WriteAsync);
    }

    public void Add(StoredArtifact artifact) => pending.Writer.TryWrite(artifact);

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<StoredArtifact>(BatchSize);
        var reader = pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            var deadline = DateTime.UtcNow + FlushInterval;
            while (batch.Count < BatchSize && DateTime.UtcNow < deadline)
            {
                if (reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                else if (!await WaitAsync(reader, deadline))
                {
                    break;
                }
            }

            await FlushAsync(batch);
            batch.Clear();
        }
    }

    private static async Task<bool> WaitAsync(ChannelReader<StoredArtifact> reader, DateTime deadline)
    {
        using var timeout = new CancellationTokenSource(deadline - DateTime.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // Not cancellable: these rows describe blobs already in the store and must be recorded.
    private async Task FlushAsync(List<StoredArtifact> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "insert into artifacts (sha256, size) select * from unnest($1::text[], $2::bigint[]) on conflict do nothing");
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(a => a.Sha256).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(a => a.Size).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
