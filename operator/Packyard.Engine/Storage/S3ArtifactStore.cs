using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Storage;

/// <summary>
/// Stores objects in an S3 bucket at <c>&lt;prefix&gt;objects/ab/abcd…</c>. Content is spooled to a local file while
/// it is hashed, because the key depends on the digest and nothing may become visible before it is verified; it is
/// then uploaded with one PutObject, or a multipart upload above <see cref="S3StorageOptions.MultipartThreshold"/>.
/// </summary>
internal sealed partial class S3ArtifactStore : IArtifactStore, IDisposable
{
    private const string ContentType = "application/octet-stream";

    /// <summary>From this many objects on, <see cref="FindMissingAsync"/> lists key prefixes instead of one HEAD per object.</summary>
    private const int ListingThreshold = 1000;

    /// <summary>SigV4 presigned URLs are valid for at most seven days.</summary>
    private static readonly TimeSpan MaximumPresignValidity = TimeSpan.FromDays(7);

    private readonly AmazonS3Client client;
    private readonly ILogger<S3ArtifactStore> logger;
    private readonly string bucket;
    private readonly string prefix;
    private readonly bool http;
    private readonly long multipartThreshold;
    private readonly long partSize;
    private readonly int uploadConcurrency;
    private readonly bool useChunkEncoding;
    private readonly TimeSpan operationTimeout;
    private readonly TimeSpan transferTimeout;
    private readonly TimeSpan readTimeout;

    public S3ArtifactStore(S3StorageOptions options, ILogger<S3ArtifactStore> logger)
        : this(options, logger, httpClientFactory: null)
    {
    }

    /// <summary>Lets tests observe or interfere with the HTTP traffic.</summary>
    internal S3ArtifactStore(S3StorageOptions options, ILogger<S3ArtifactStore> logger, HttpClientFactory? httpClientFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Bucket, "options.Bucket");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Region, "options.Region");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, S3StorageOptions.MinimumPartSize, "options.PartSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UploadConcurrency, 1, "options.UploadConcurrency");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OperationTimeout, TimeSpan.Zero, "options.OperationTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TransferTimeout, TimeSpan.Zero, "options.TransferTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ReadTimeout, TimeSpan.Zero, "options.ReadTimeout");
        this.logger = logger;
        bucket = options.Bucket;
        prefix = options.Prefix is { Length: > 0 } p && !p.EndsWith('/') ? p + "/" : options.Prefix ?? "";
        multipartThreshold = options.MultipartThreshold;
        partSize = options.PartSize;
        uploadConcurrency = options.UploadConcurrency;
        useChunkEncoding = options.UseChunkEncoding;
        operationTimeout = options.OperationTimeout;
        transferTimeout = options.TransferTimeout;
        readTimeout = options.ReadTimeout;
        SpoolDirectory = Path.GetFullPath(options.SpoolDirectory ?? Path.Combine(Path.GetTempPath(), "packyard-s3-spool"));

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Older and non-AWS servers reject or mangle the flexible checksums that SDK v4 adds by default.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            ConnectTimeout = options.ConnectTimeout,
        };
        if (string.IsNullOrEmpty(options.Endpoint))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
            Endpoint = $"https://s3.{options.Region}.amazonaws.com";
        }
        else
        {
            if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint)
                || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException(
                    $"S3 endpoint '{Redact(options.Endpoint)}' is not an http:// or https:// URL.", nameof(options));
            }

            Endpoint = endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
                .TrimEnd('/');
            http = endpoint.Scheme == Uri.UriSchemeHttp;
            config.ServiceURL = Endpoint;
            config.UseHttp = http;
        }

        if (httpClientFactory is not null)
        {
            config.HttpClientFactory = httpClientFactory;
        }

        if (options.RequestTimeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        if (options.MaxErrorRetries is { } retries)
        {
            config.MaxErrorRetry = retries;
        }

        client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey ?? ""), config);
        Store = $"S3 endpoint {Endpoint} bucket '{bucket}'";
        Log.StoreOpened(logger, Endpoint, bucket, prefix);
    }

    /// <summary>The endpoint without credentials or query, e.g. <c>http://127.0.0.1:9000</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Where content is spooled before upload.</summary>
    public string SpoolDirectory { get; }

    /// <summary>How error messages name this store.</summary>
    private string Store { get; }

    /// <inheritdoc />
    public async Task<StoredArtifact> PutAsync(Stream content, ExpectedDigest? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var spooled = await TemporaryFileSpool.SpoolAsync(content, expected, SpoolDirectory, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var key = Key(spooled.Sha256);
            if (await HeadAsync(key, cancellationToken).ConfigureAwait(false))
            {
                StorageLog.ArtifactAlreadyStored(logger, spooled.Sha256, spooled.Size);
            }
            else if (spooled.Size <= multipartThreshold)
            {
                await CallAsync("PutObject", key, token => client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    FilePath = spooled.Path,
                    ContentType = ContentType,
                    UseChunkEncoding = useChunkEncoding,
                }, token), cancellationToken, transferTimeout).ConfigureAwait(false);
                StorageLog.ArtifactStored(logger, spooled.Sha256, spooled.Size);
            }
            else
            {
                await UploadMultipartAsync(key, spooled, cancellationToken).ConfigureAwait(false);
                StorageLog.ArtifactStored(logger, spooled.Sha256, spooled.Size);
            }
        }
        finally
        {
            if (!TemporaryFileSpool.TryDelete(spooled.Path))
            {
                Log.TemporaryFileDeleteFailed(logger, spooled.Path);
            }
        }

        return new StoredArtifact(spooled.Sha256, spooled.Size);
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string sha256, long offset, CancellationToken cancellationToken)
    {
        var key = Key(ContentAddress.Normalize(sha256, nameof(sha256)));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var request = new GetObjectRequest { BucketName = bucket, Key = key };
        if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        var (response, status) = await CallAsync<(GetObjectResponse?, HttpStatusCode)>("GetObject", key, async token =>
        {
            try
            {
                return (await client.GetObjectAsync(request, token).ConfigureAwait(false), HttpStatusCode.OK);
            }
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
            {
                return (null, HttpStatusCode.NotFound);
            }
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return (null, HttpStatusCode.RequestedRangeNotSatisfiable);
            }
        }, cancellationToken).ConfigureAwait(false);

        if (status is HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The offset is at or past the end. At the end is a valid, empty read (a resumed download that was complete).
            var size = await SizeAsync(key, cancellationToken).ConfigureAwait(false);
            if (size is null)
            {
                return null;
            }

            if (offset == size)
            {
                return new S3ObjectStream(Stream.Null, owner: null, offset, size.Value);
            }

            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{sha256} has only {size} bytes.");
        }

        if (response is null)
        {
            return null;
        }

        return new S3ObjectStream(response.ResponseStream, response, offset, offset + response.ContentLength)
        {
            Idle = readTimeout,
            Failure = cause => Unreachable("GetObject", key, cause is OperationCanceledException ? $"no data for {readTimeout}" : cause.Message, cause),
        };
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) =>
        HeadAsync(Key(ContentAddress.Normalize(sha256, nameof(sha256))), cancellationToken);

    /// <summary>
    /// Which of <paramref name="sha256s"/> are missing. Up to <see cref="ListingThreshold"/> objects: one HEAD each (32 at a
    /// time); more: the key prefixes they fall in (<c>objects/ab/</c>) are listed, 1,000 keys a request and 16 prefixes at a
    /// time, which costs about 256 + (objects in the bucket) / 1,000 requests instead of one per object.
    /// </summary>
    public async Task<IReadOnlySet<string>> FindMissingAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256s);
        if (sha256s.Count < ListingThreshold)
        {
            return await ExistenceChecks.FindMissingAsync(this, sha256s, cancellationToken).ConfigureAwait(false);
        }

        var wanted = sha256s.Select(s => ContentAddress.Normalize(s, nameof(sha256s))).ToHashSet(StringComparer.Ordinal);
        var present = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var prefixes = wanted.Select(s => s[..2]).Distinct(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(prefixes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (two, token) =>
            {
                var request = new ListObjectsV2Request { BucketName = bucket, Prefix = $"{prefix}objects/{two}/", MaxKeys = 1000 };
                while (true)
                {
                    var page = await CallAsync("ListObjectsV2", request.Prefix, t => client.ListObjectsV2Async(request, t), token)
                        .ConfigureAwait(false);
                    foreach (var item in page.S3Objects ?? [])
                    {
                        var name = item.Key[(item.Key.LastIndexOf('/') + 1)..];
                        if (wanted.Contains(name))
                        {
                            present.TryAdd(name, true);
                        }
                    }

                    if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
                    {
                        break;
                    }

                    request.ContinuationToken = page.NextContinuationToken;
                }
            }).ConfigureAwait(false);
        wanted.ExceptWith(present.Keys);
        return wanted;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        var normalized = ContentAddress.Normalize(sha256, nameof(sha256));
        var key = Key(normalized);
        // S3 answers 204 whether or not the key existed.
        await CallAsync("DeleteObject", key, token => client.DeleteObjectAsync(bucket, key, token), cancellationToken)
            .ConfigureAwait(false);
        StorageLog.ArtifactDeleted(logger, normalized);
    }

    /// <summary>Always null: objects are not local files.</summary>
    public string? TryGetLocalPath(string sha256)
    {
        ContentAddress.Normalize(sha256, nameof(sha256));
        return null;
    }

    /// <summary>
    /// A presigned GET URL valid for <paramref name="validity"/> (at most seven days). Signing is local: the URL is
    /// returned whether or not the object exists.
    /// </summary>
    public async Task<Uri?> GetDirectDownloadUriAsync(string sha256, TimeSpan validity, CancellationToken cancellationToken)
    {
        var key = Key(ContentAddress.Normalize(sha256, nameof(sha256)));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validity, MaximumPresignValidity);
        cancellationToken.ThrowIfCancellationRequested();
        var url = await client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + validity,
            Protocol = http ? Protocol.HTTP : Protocol.HTTPS,
        }).ConfigureAwait(false);
        return new Uri(url);
    }

    /// <summary>
    /// Removes spool files last written more than <paramref name="olderThan"/> ago: leftovers of a process that was
    /// killed mid-upload. Pick an age well above the longest upload; the spool directory may be shared.
    /// </summary>
    /// <returns>How many files were removed.</returns>
    public async Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        var cutoff = DateTime.UtcNow - olderThan;
        var deleted = TemporaryFileSpool.DeleteOlderThan(SpoolDirectory, cutoff, cancellationToken);
        if (deleted > 0)
        {
            Log.TemporaryFilesCleaned(logger, deleted, SpoolDirectory);
        }

        // A multipart upload of a killed writer is the bucket's .part file: its parts cost storage until aborted.
        var objects = $"{prefix}objects/";
        var uploads = await CallAsync("ListMultipartUploads", objects, token => client.ListMultipartUploadsAsync(
            new ListMultipartUploadsRequest { BucketName = bucket, Prefix = objects }, token), cancellationToken).ConfigureAwait(false);
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            if (((object?)upload.Initiated ?? DateTime.MaxValue) is DateTime initiated && initiated.ToUniversalTime() < cutoff)
            {
                await CallAsync("AbortMultipartUpload", upload.Key, token => client.AbortMultipartUploadAsync(
                    new AbortMultipartUploadRequest { BucketName = bucket, Key = upload.Key, UploadId = upload.UploadId }, token), cancellationToken).ConfigureAwait(false);
                deleted++;
            }
        }

        return deleted;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var objects = $"{prefix}objects/";
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = objects, ContinuationToken = continuation };
            var page = await CallAsync("ListObjectsV2", objects, token => client.ListObjectsV2Async(request, token), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[(item.Key.LastIndexOf('/') + 1)..];
                if (ContentAddress.IsValid(name) && ((object?)item.LastModified ?? DateTime.MinValue) is DateTime modified)
                {
                    yield return new StoredObject(name.ToLowerInvariant(), new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero));
                }
            }

            continuation = Equals(page.IsTruncated, true) ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    public void Dispose() => client.Dispose();

    private string Key(string sha256) => $"{prefix}objects/{sha256.AsSpan(0, 2)}/{sha256}";

    private async Task<bool> HeadAsync(string key, CancellationToken cancellationToken) =>
        await SizeAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The object's size, or null when it does not exist (HEAD has no body, so a missing bucket looks the same).</summary>
    private Task<long?> SizeAsync(string key, CancellationToken cancellationToken) =>
        CallAsync("HeadObject", key, async token =>
        {
            try
            {
                var request = new GetObjectMetadataRequest { BucketName = bucket, Key = key };
                return (long?)(await client.GetObjectMetadataAsync(request, token).ConfigureAwait(false)).ContentLength;
            }
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    private async Task UploadMultipartAsync(string key, SpooledContent spooled, CancellationToken cancellationToken)
    {
        var parts = (int)((spooled.Size + partSize - 1) / partSize);
        var initiated = await CallAsync("CreateMultipartUpload", key, token => client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = ContentType }, token),
            cancellationToken).ConfigureAwait(false);
        var uploadId = initiated.UploadId;
        Log.MultipartUploadStarted(logger, key, spooled.Size, parts);
        try
        {
            var etags = new PartETag[parts];
            await Parallel.ForEachAsync(
                Enumerable.Range(1, parts),
                new ParallelOptions { MaxDegreeOfParallelism = uploadConcurrency, CancellationToken = cancellationToken },
                async (number, token) =>
                {
                    var position = (number - 1) * partSize;
                    var response = await CallAsync("UploadPart", key, t => client.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = number,
                        FilePath = spooled.Path,
                        FilePosition = position,
                        PartSize = Math.Min(partSize, spooled.Size - position),
                        IsLastPart = number == parts,
                        UseChunkEncoding = useChunkEncoding,
                    }, t), token, transferTimeout).ConfigureAwait(false);
                    etags[number - 1] = new PartETag(number, response.ETag);
                }).ConfigureAwait(false);

            var complete = new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId };
            complete.AddPartETags(etags);
            // Assembling a large object can take the server a while (S3 keeps the connection alive meanwhile).
            await CallAsync("CompleteMultipartUpload", key, token => client.CompleteMultipartUploadAsync(complete, token),
                cancellationToken, transferTimeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await AbortMultipartAsync(key, uploadId, e).ConfigureAwait(false);
            throw;
        }
    }

    private async Task AbortMultipartAsync(string key, string uploadId, Exception cause)
    {
        try
        {
            // Cleanup after failure or cancellation: the caller's token may already be cancelled, and an upload left
            // open keeps its parts billed until a lifecycle rule removes them. Bounded by the operation timeout.
            using var deadline = new CancellationTokenSource(operationTimeout);
            await client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId },
                deadline.Token).ConfigureAwait(false);
            Log.MultipartUploadAborted(logger, key, cause.GetType().Name);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
        {
            Log.MultipartAbortFailed(logger, e, key, uploadId);
        }
    }

    /// <summary>Strips user info and query from a URL for messages.</summary>
    private static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : "(unparseable)";
}
