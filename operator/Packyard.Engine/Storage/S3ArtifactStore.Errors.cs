using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Packyard.Engine.Storage;

internal sealed partial class S3ArtifactStore
{
    /// <summary>Error codes that mean the credentials or the policy are wrong.</summary>
    private static readonly FrozenSet<string> AccessDeniedCodes = FrozenSet.Create(
        StringComparer.Ordinal,
        "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled", "InvalidToken", "ExpiredToken");

    /// <summary>
    /// Runs one S3 call, SDK retries included, within <paramref name="deadline"/> (default: the operation timeout) and turns
    /// its failures into <see cref="ArtifactStoreException"/> naming the endpoint, bucket and key. Cancellation by
    /// <paramref name="cancellationToken"/> propagates unchanged; a timeout becomes "unreachable".
    /// </summary>
    private async Task<T> CallAsync<T>(
        string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? deadline = null)
    {
        var limit = deadline ?? operationTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var translated = Unreachable(operation, key, $"no answer within {limit}", e);
            Log.RequestFailed(logger, operation, Endpoint, bucket, key, translated.Reason);
            throw translated;
        }
        catch (Exception e) when (Translate(operation, key, e) is { } translated)
        {
            Log.RequestFailed(logger, operation, Endpoint, bucket, key, translated.Reason);
            throw translated;
        }
    }

    private ArtifactStoreException Unreachable(string operation, string key, string reason, Exception cause) =>
        new(ArtifactStoreReasons.StorageUnreachable, Store,
            $"{operation} {key} on {Store} failed: the endpoint is unreachable ({reason}). Check the endpoint address, the network and that the S3 server is running.", cause);

    private ArtifactStoreException? Translate(string operation, string key, Exception e)
    {
        var what = $"{operation} {key} on {Store}";
        switch (e)
        {
            case AmazonS3Exception { ErrorCode: "NoSuchBucket" } s3:
                return new(ArtifactStoreReasons.StorageNotFound, Store,
                    $"{what} failed: the bucket does not exist ({s3.Message}). Check the bucket name in the storage settings.", e);
            case AmazonS3Exception s3 when s3.StatusCode is HttpStatusCode.Forbidden || AccessDeniedCodes.Contains(s3.ErrorCode ?? ""):
                return new(ArtifactStoreReasons.StorageAccessDenied, Store,
                    $"{what} was denied ({s3.ErrorCode}: {s3.Message}). Check the access key, secret key and bucket policy.", e);
            case AmazonS3Exception s3:
                return new(ArtifactStoreReasons.StorageFailed, Store,
                    $"{what} failed with HTTP {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}", e);
            case HttpRequestException or SocketException or IOException or OperationCanceledException:
            case AmazonServiceException { InnerException: HttpRequestException or SocketException or IOException or OperationCanceledException }:
                var cause = e is AmazonServiceException { InnerException: { } inner } ? inner : e;
                return Unreachable(operation, key, cause is OperationCanceledException ? "timed out" : cause.Message, e);
            case AmazonServiceException or AmazonClientException:
                return new(ArtifactStoreReasons.StorageFailed, Store, $"{what} failed: {e.Message}", e);
            default:
                return null;
        }
    }
}
