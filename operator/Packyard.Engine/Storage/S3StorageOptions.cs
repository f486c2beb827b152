using System.ComponentModel.DataAnnotations;

namespace Packyard.Engine.Storage;

/// <summary>Options of <see cref="S3ArtifactStore"/>.</summary>
public sealed class S3StorageOptions
{
    /// <summary>S3 smallest multipart part size (except the last part).</summary>
    public const long MinimumPartSize = 5L * 1024 * 1024;

    /// <summary>
    /// The S3 endpoint, e.g. <c>http://127.0.0.1:9000</c> or <c>https://s3.example.com</c>. Null or empty means AWS S3
    /// in <see cref="Region"/>.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The bucket; it must exist.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Bucket { get; set; } = "";

    /// <summary>Signing region (and the AWS region when <see cref="Endpoint"/> is empty).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id. Null or empty uses the SDK's default credential chain (environment, web identity, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key. Never logged and never part of an exception message.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Key prefix: objects are at <c>&lt;prefix&gt;objects/ab/abcd…</c>. A non-empty prefix without a trailing
    /// <c>/</c> gets one.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which MinIO, Ceph and most non-AWS servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// Local directory where content is spooled (and verified) before upload. Null means
    /// <c>&lt;system temp&gt;/packyard-s3-spool</c>. Needs room for the largest artifacts being stored concurrently.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Objects up to this size are uploaded with one PutObject; larger ones with a multipart upload.</summary>
    [Range(MinimumPartSize, 5L * 1024 * 1024 * 1024)]
    public long MultipartThreshold { get; set; } = 64L * 1024 * 1024;

    /// <summary>Part size of multipart uploads.</summary>
    [Range(MinimumPartSize, 5L * 1024 * 1024 * 1024)]
    public long PartSize { get; set; } = 16L * 1024 * 1024;

    /// <summary>Parts uploaded in parallel per multipart upload.</summary>
    [Range(1, 64)]
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>Time to establish a connection; bounds how long an unreachable endpoint takes to fail.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time limit of one HTTP request (one PutObject or part, or reading a response). Null: the SDK default.</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>
    /// Deadline of one store operation that carries no object body (HEAD, DELETE, the start of a GET up to its response
    /// headers, starting or aborting a multipart upload, one listing page), retries included. A hung server (stopped, black-holed) fails the
    /// operation after this long as <see cref="ArtifactStoreReasons.StorageUnreachable"/>, so a GET is answered with 503
    /// instead of waiting for the SDK's timeouts and retries (minutes).
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one upload (a PutObject, one multipart part, completing a multipart upload), retries included.</summary>
    public TimeSpan TransferTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A read of an object body that receives nothing for this long fails (the server stopped sending).</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a failed request. Null: the SDK default.</summary>
    [Range(0, 20)]
    public int? MaxErrorRetries { get; set; }

    /// <summary>
    /// aws-chunked uploads (the SDK default). Turn off for servers that store the chunk framing inside the object
    /// (s3rver); the SDK then hashes each body before sending it.
    /// </summary>
    public bool UseChunkEncoding { get; set; } = true;
}
