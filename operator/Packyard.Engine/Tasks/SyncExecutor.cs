using Npgsql;
using Packyard.Api.Conditions;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;
using Packyard.Engine.Sync;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Runs one sync, wherever it runs (inline in a reconcile, or on a worker), and turns its end into a <see cref="SyncReport"/>:
/// on success the settings fingerprint and start time are recorded (the repository is then no longer due); failures the user
/// can act on keep their reason, anything unexpected is a failure too (never an exception). Cancellation is not a failure: it propagates, and the interrupted sync leaves no version.
/// </summary>
public sealed class SyncExecutor(SyncService sync, EngineCatalog catalog, TimeProvider time)
{
    public async Task<SyncReport> RunAsync(SyncRequest request, string fingerprint, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow();
        try
        {
            var outcome = await sync.SyncAsync(request, progress, cancellationToken);
            await catalog.RecordSyncAsync(request.RepositoryId, fingerprint, started, cancellationToken);
            return SyncReport.Success(started, time.GetUtcNow(), outcome);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // Cancelled mid-download: whatever the failure looks like (an upstream error, a broken stream), it is not the sync's.
            throw new OperationCanceledException("the sync was cancelled", e, cancellationToken);
        }
        catch (PackyardException e)
        {
            return SyncReport.Failure(started, time.GetUtcNow(), e.Reason, e.Message);
        }
        catch (ArtifactStoreException e)
        {
            return SyncReport.Failure(started, time.GetUtcNow(), e.Reason, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or NpgsqlException or NotSupportedException)
        {
            return SyncReport.Failure(started, time.GetUtcNow(), Reasons.SyncFailed, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Anything else is a bug or a poison input (settings that slipped past validation): the sync fails with the cause,
            // and the process running it goes on. The attempt counts towards --task-max-attempts.
            return SyncReport.Failure(started, time.GetUtcNow(), Reasons.UnexpectedError, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
