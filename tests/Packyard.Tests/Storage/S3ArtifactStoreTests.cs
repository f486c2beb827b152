using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Engine.Storage;
using Packyard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Packyard.Tests.Storage;

[Collection(MotoServerCollection.Name)]
public sealed class S3ArtifactStoreTests(MotoServer moto, ITestOutputHelper output) : ArtifactStoreContractTests(output)
{
    /// <summary>Without a trailing slash on purpose: the store adds it.</summary>
    private readonly string prefix = "t" + Guid.NewGuid().ToString("N");
    private readonly string spool = Path.Combine(Path.GetTempPath(), "packyard-s3-spool-" + Guid.NewGuid().ToString("N"));
    private S3ArtifactStore? store;

    protected override IArtifactStore Store => store ?? throw new InvalidOperationException("Not initialised.");

    public override Task InitializeAsync()
    {
        store = CreateStore();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        store?.Dispose();
        using var client = moto.CreateClient();
        foreach (var key in await ListKeysAsync())
        {
            await client.DeleteObjectAsync(moto.Bucket, key);
        }

        if (Directory.Exists(spool))
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task Objects_are_stored_at_prefix_objects_ab_sha256()
    {
        var stored = await Store.PutAsync(new MemoryStream([1, 2, 3]), null, CancellationToken.None);

        Assert.Equal([$"{prefix}/objects/{stored.Sha256[..2]}/{stored.Sha256}"], await ListKeysAsync());
        Assert.Null(Store.TryGetLocalPath(stored.Sha256));
    }

    [Fact]
    public async Task Presigned_url_fetched_with_HttpClient_returns_the_content()
    {
        var content = RandomNumberGenerator.GetBytes(300_000);
        var stored = await Store.PutAsync(new MemoryStream(content), null, CancellationToken.None);

        var uri = await Store.GetDirectDownloadUriAsync(stored.Sha256, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.NotNull(uri);
        Assert.StartsWith(moto.Endpoint + "/", uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", uri.Query, StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal(content, await http.GetByteArrayAsync(uri));
    }

    [Fact]
    public async Task Cancelling_a_multipart_upload_aborts_it_and_leaves_no_spool_file_and_no_object()
    {
        const long length = 30L * 1024 * 1024;
        using var cancel = new CancellationTokenSource();
        var factory = new CancellingHttpClientFactory(
            request => request.RequestUri!.Query.Contains("partNumber=", StringComparison.Ordinal), cancel);
        using var multipart = CreateStore(
            options => { options.MultipartThreshold = 5L * 1024 * 1024; options.PartSize = 5L * 1024 * 1024; options.UploadConcurrency = 1; },
            factory);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            multipart.PutAsync(new GeneratedContentStream(length), null, cancel.Token));

        Assert.True(factory.Cancelled);
        Assert.Empty(TemporaryFiles());
        Assert.Equal(0, await CountObjectsAsync());
        using var client = moto.CreateClient();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = moto.Bucket, Prefix = prefix + "/" });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_missing_bucket_fails_with_StorageNotFound_naming_the_bucket()
    {
        using var noBucket = CreateStore(options => options.Bucket = "no-such-bucket");

        var error = await Assert.ThrowsAsync<ArtifactStoreException>(() =>
            noBucket.PutAsync(new MemoryStream([1]), null, CancellationToken.None));

        Assert.Equal(ArtifactStoreReasons.StorageNotFound, error.Reason);
        Assert.Contains("'no-such-bucket'", error.Message, StringComparison.Ordinal);
        Assert.Contains(moto.Endpoint, error.Message, StringComparison.Ordinal);
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_quickly_with_an_exception_naming_endpoint_and_bucket_but_not_the_secret()
    {
        var closedPort = MotoServer.FreeLoopbackPort();
        using var unreachable = CreateStore(options =>
        {
            options.Endpoint = $"http://127.0.0.1:{closedPort}";
            options.ConnectTimeout = TimeSpan.FromSeconds(2);
            options.RequestTimeout = TimeSpan.FromSeconds(5);
            options.MaxErrorRetries = 1;
        });
        var watch = Stopwatch.StartNew();

        var exists = await Assert.ThrowsAsync<ArtifactStoreException>(() =>
            unreachable.ExistsAsync(EmptySha256, CancellationToken.None));
        var put = await Assert.ThrowsAsync<ArtifactStoreException>(() =>
            unreachable.PutAsync(new MemoryStream([1, 2, 3]), null, CancellationToken.None));

        Output.WriteLine($"{watch.Elapsed.TotalSeconds:F2} s: {exists.Message}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        foreach (var error in new[] { exists, put })
        {
            Assert.Equal(ArtifactStoreReasons.StorageUnreachable, error.Reason);
            Assert.Contains($"http://127.0.0.1:{closedPort}", error.Message, StringComparison.Ordinal);
            Assert.Contains($"'{moto.Bucket}'", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(MotoServer.SecretKey, error.ToString(), StringComparison.Ordinal);
        }

        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task Refused_credentials_fail_with_StorageAccessDenied_naming_the_store_but_not_the_secret()
    {
        using var denied = CreateStore(httpClientFactory: new RespondingHttpClientFactory(request =>
            new HttpResponseMessage(HttpStatusCode.Forbidden)
            {
                Content = request.Method == HttpMethod.Head ? null : new StringContent(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidAccessKeyId</Code>"
                    + "<Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>",
                    System.Text.Encoding.UTF8, "application/xml"),
            }));

        var put = await Assert.ThrowsAsync<ArtifactStoreException>(() =>
            denied.PutAsync(new MemoryStream([1]), null, CancellationToken.None));
        var open = await Assert.ThrowsAsync<ArtifactStoreException>(() =>
            denied.OpenReadAsync(EmptySha256, 0, CancellationToken.None));

        Output.WriteLine(open.Message);
        foreach (var error in new[] { put, open })
        {
            Assert.Equal(ArtifactStoreReasons.StorageAccessDenied, error.Reason);
            Assert.Contains(moto.Endpoint, error.Message, StringComparison.Ordinal);
            Assert.Contains($"'{moto.Bucket}'", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(MotoServer.SecretKey, error.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("InvalidAccessKeyId", open.Message, StringComparison.Ordinal);
        Assert.Empty(TemporaryFiles());
    }

    protected override IReadOnlyList<string> TemporaryFiles() =>
        Directory.Exists(spool) ? Directory.GetFiles(spool) : [];

    protected override async Task<int> CountObjectsAsync() => (await ListKeysAsync()).Count;

    private S3ArtifactStore CreateStore(Action<S3StorageOptions>? configure = null, HttpClientFactory? httpClientFactory = null)
    {
        var options = new S3StorageOptions
        {
            Endpoint = moto.Endpoint,
            Bucket = moto.Bucket,
            AccessKey = MotoServer.AccessKey,
            SecretKey = MotoServer.SecretKey,
            Prefix = prefix,
            SpoolDirectory = spool,
        };
        configure?.Invoke(options);
        return new S3ArtifactStore(options, NullLogger<S3ArtifactStore>.Instance, httpClientFactory);
    }

    private async Task<List<string>> ListKeysAsync()
    {
        using var client = moto.CreateClient();
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = moto.Bucket, Prefix = prefix + "/" });
        return listing.S3Objects?.Select(o => o.Key).ToList() ?? [];
    }

    /// <summary>Answers every request itself, without a server.</summary>
    private sealed class RespondingHttpClientFactory(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(respond));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

        private sealed class Handler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Task.FromResult(respond(request));
        }
    }

    /// <summary>Cancels a token when the first matching request is sent, then sends it (and everything else) normally.</summary>
    private sealed class CancellingHttpClientFactory(Func<HttpRequestMessage, bool> match, CancellationTokenSource cancel)
        : HttpClientFactory
    {
        public bool Cancelled { get; private set; }

        private bool TryCancel(HttpRequestMessage request)
        {
            lock (this)
            {
                if (Cancelled || !match(request))
                {
                    return false;
                }

                Cancelled = true;
            }

            cancel.Cancel();
            return true;
        }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(new Handler(this) { InnerHandler = new SocketsHttpHandler() });

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

        private sealed class Handler(CancellingHttpClientFactory owner) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                owner.TryCancel(request);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
