using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Api.Resources;
using Packyard.Engine.Storage;
using Packyard.Engine.Sync;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>The engine on an S3 store of its own (a moto server on 127.0.0.1, keys under <c>sweep/</c>).</summary>
public sealed class S3EngineFixture : EngineFixture
{
    private readonly TemporaryDirectory spool = new();

    public MotoServer Moto { get; } = new();

    /// <summary>A spool folder of its own, so sweeping it never touches another test's upload.</summary>
    public string Spool => Path.Combine(spool.Path, "spool");

    public override string Storage => $"s3://{MotoServer.AccessKey}:{MotoServer.SecretKey}@127.0.0.1:{Moto.Port}/{Moto.Bucket}?tls=false&prefix=sweep&spool={Spool}";

    public override async Task InitializeAsync()
    {
        await Moto.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Moto.DisposeAsync();
        spool.Dispose();
    }
}

/// <summary>Orphan cleanup also sweeps the store: objects no row references and writers' leftovers, once old enough.</summary>
public abstract class StoreSweepTests(EngineFixture engine)
{
    protected EngineFixture Engine => engine;

    /// <summary>Makes a stored object (and what the store's listing says of it) look written <paramref name="age"/> ago, or returns false where the store cannot.</summary>
    protected abstract bool TryAge(string sha256, TimeSpan age);

    protected abstract Task<string> AbandonTemporaryAsync(TimeSpan age);

    protected abstract Task<bool> TemporaryExistsAsync(string name);

    /// <summary>The age the temporary-file test sweeps with (S3 cannot back-date a multipart upload, so it waits a little instead).</summary>
    protected virtual TimeSpan TemporaryAge => TimeSpan.FromHours(1);

    private async Task<List<string>> SyncAsync(string name, params string[] contents)
    {
        var upstream = new FileUpstream();
        for (var i = 0; i < contents.Length; i++)
        {
            upstream.Put($"f{i}.txt", contents[i]);
        }

        upstream.WriteManifest();
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("sweep", name, "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync($"{name}-remote", upstream.FileUrl);
        await engine.Get<SyncService>().SyncAsync(new SyncRequest(repositoryId, name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None);
        return [.. contents.Select(c => FileUpstream.Sha256(System.Text.Encoding.UTF8.GetBytes(c)))];
    }

    protected async Task<string> PutUnreferencedAsync(string content) =>
        (await engine.Store.PutAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), null, CancellationToken.None)).Sha256;

    private StoreSweeper Sweeper(TimeSpan age) =>
        new(engine.DataSource, engine.Store, new OrphanCleanupOptions { UnreferencedAge = age }, NullLogger<StoreSweeper>.Instance);

    [Fact]
    public async Task Unreferenced_objects_older_than_the_age_are_removed_and_fresh_or_referenced_ones_kept()
    {
        var referenced = await SyncAsync($"kept-{Guid.NewGuid():N}", "referenced one " + Guid.NewGuid(), "referenced two " + Guid.NewGuid());
        var old = await PutUnreferencedAsync("stored before its row, then killed " + Guid.NewGuid());
        var fresh = await PutUnreferencedAsync("an upload in flight " + Guid.NewGuid());
        var aged = TryAge(old, TimeSpan.FromHours(2));
        foreach (var sha256 in referenced)
        {
            TryAge(sha256, TimeSpan.FromHours(2));
        }

        if (!aged)
        {
            // A store whose objects cannot be back-dated (S3): an age of one hour keeps everything, a tiny one sweeps.
            Assert.Equal(0, (await Sweeper(TimeSpan.FromHours(1)).SweepAsync(CancellationToken.None)).Objects);
            Assert.True(await engine.Store.ExistsAsync(old, CancellationToken.None));
            // S3's LastModified has whole seconds: wait well past the short age, then store the fresh one.
            await Task.Delay(TimeSpan.FromSeconds(5));
            fresh = await PutUnreferencedAsync("an upload in flight, later " + Guid.NewGuid());
        }

        var result = await Sweeper(aged ? TimeSpan.FromHours(1) : TimeSpan.FromSeconds(3)).SweepAsync(CancellationToken.None);

        Assert.False(await engine.Store.ExistsAsync(old, CancellationToken.None));
        Assert.True(await engine.Store.ExistsAsync(fresh, CancellationToken.None));
        foreach (var sha256 in referenced)
        {
            Assert.True(await engine.Store.ExistsAsync(sha256, CancellationToken.None));
        }

        Assert.True(result.Objects >= 1);
    }

    [Fact]
    public async Task Abandoned_temporary_files_older_than_the_age_are_removed_and_fresh_ones_kept()
    {
        var old = await AbandonTemporaryAsync(TimeSpan.FromHours(2));
        var fresh = await AbandonTemporaryAsync(TimeSpan.Zero);

        var result = await Sweeper(TemporaryAge).SweepAsync(CancellationToken.None);

        Assert.False(await TemporaryExistsAsync(old));
        Assert.True(await TemporaryExistsAsync(fresh));
        Assert.True(result.TemporaryFiles >= 1);
    }
}

public sealed class FileSystemStoreSweepTests(EngineFixture engine) : StoreSweepTests(engine), IClassFixture<EngineFixture>
{
    private string Temporary => Path.Combine(Engine.StorageRoot, "tmp");

    [Fact]
    public async Task Orphan_cleanup_sweeps_the_store_with_the_configured_age()
    {
        var old = await PutUnreferencedAsync("orphan cleanup sweeps me " + Guid.NewGuid());
        var fresh = await PutUnreferencedAsync("orphan cleanup keeps me " + Guid.NewGuid());
        TryAge(old, TimeSpan.FromHours(2));

        await Engine.Get<OrphanCleaner>().CleanAsync(TimeSpan.FromHours(1), CancellationToken.None);

        Assert.False(await Engine.Store.ExistsAsync(old, CancellationToken.None));
        Assert.True(await Engine.Store.ExistsAsync(fresh, CancellationToken.None));
    }

    protected override bool TryAge(string sha256, TimeSpan age)
    {
        File.SetLastWriteTimeUtc(Engine.Store.TryGetLocalPath(sha256)!, DateTime.UtcNow - age);
        return true;
    }

    protected override Task<string> AbandonTemporaryAsync(TimeSpan age)
    {
        Directory.CreateDirectory(Temporary);
        var name = Guid.NewGuid().ToString("N") + ".part";
        var path = Path.Combine(Temporary, name);
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return Task.FromResult(name);
    }

    protected override Task<bool> TemporaryExistsAsync(string name) => Task.FromResult(File.Exists(Path.Combine(Temporary, name)));
}

public sealed class S3StoreSweepTests(S3EngineFixture engine) : StoreSweepTests(engine), IClassFixture<S3EngineFixture>
{
    private readonly S3EngineFixture s3 = engine;

    protected override TimeSpan TemporaryAge => TimeSpan.FromSeconds(1);

    /// <summary>S3 sets LastModified itself; the test uses a short age instead.</summary>
    protected override bool TryAge(string sha256, TimeSpan age) => false;

    /// <summary>
    /// An old one is a spool file of a killed writer (back-dated) plus a multipart upload it left open (S3's .part file,
    /// 2 s old); a fresh one is a spool file written just now.
    /// </summary>
    protected override async Task<string> AbandonTemporaryAsync(TimeSpan age)
    {
        Directory.CreateDirectory(s3.Spool);
        var name = Guid.NewGuid().ToString("N");
        var spooled = Path.Combine(s3.Spool, name + ".part");
        if (age == TimeSpan.Zero)
        {
            await File.WriteAllTextAsync(spooled, "half an upload");
            return name;
        }

        using var client = s3.Moto.CreateClient();
        var key = $"sweep/objects/ab/{Guid.NewGuid():N}{Guid.NewGuid():N}";
        var started = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = s3.Moto.Bucket, Key = key });
        await File.WriteAllTextAsync(spooled, "half an upload");
        File.SetLastWriteTimeUtc(spooled, DateTime.UtcNow - age);
        await Task.Delay(TimeSpan.FromSeconds(2));
        return name + "/" + started.UploadId;
    }

    protected override async Task<bool> TemporaryExistsAsync(string name)
    {
        var parts = name.Split('/');
        if (File.Exists(Path.Combine(s3.Spool, parts[0] + ".part")))
        {
            return true;
        }

        if (parts.Length == 1)
        {
            return false;
        }

        using var client = s3.Moto.CreateClient();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = s3.Moto.Bucket, Prefix = "sweep/" });
        return (uploads.MultipartUploads ?? []).Any(u => u.UploadId == parts[1]);
    }
}
