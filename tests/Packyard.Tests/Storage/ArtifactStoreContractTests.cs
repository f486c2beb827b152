using System.Diagnostics;
using System.Security.Cryptography;
using Packyard.Engine.Storage;
using Xunit.Abstractions;

namespace Packyard.Tests.Storage;

/// <summary>
/// Behaviour every <see cref="IArtifactStore"/> must have. Each derived class runs it against one store; a new store
/// (fresh directory or key prefix) is created for every test.
/// </summary>
public abstract class ArtifactStoreContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    protected const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const long HundredMiB = 100L * 1024 * 1024;

    protected ITestOutputHelper Output { get; } = output;

    protected abstract IArtifactStore Store { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Files left in the store's temporary (spool) directory.</summary>
    protected abstract IReadOnlyList<string> TemporaryFiles();

    /// <summary>How many objects the store holds.</summary>
    protected abstract Task<int> CountObjectsAsync();

    [Fact]
    public async Task Put_then_open_returns_the_same_content()
    {
        var content = RandomNumberGenerator.GetBytes(200_000);

        var stored = await Store.PutAsync(new MemoryStream(content), expected: null, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), stored.Sha256);
        Assert.Equal(content.Length, stored.Size);
        Assert.True(await Store.ExistsAsync(stored.Sha256, CancellationToken.None));
        Assert.Equal(stored.Sha256, await ReadSha256Async(stored.Sha256, offset: 0));
    }

    [Fact]
    public async Task Put_of_empty_content_stores_the_empty_object()
    {
        var stored = await Store.PutAsync(
            new MemoryStream(), new ExpectedDigest(EmptySha256, 0, "empty"), CancellationToken.None);

        Assert.Equal(new StoredArtifact(EmptySha256, 0), stored);
        await using var stream = await Store.OpenReadAsync(EmptySha256, 0, CancellationToken.None);
        Assert.NotNull(stream);
        Assert.Equal(-1, stream.ReadByte());
    }

    [Fact]
    public async Task Put_of_a_100_MiB_stream_is_streamed_and_reads_back_with_the_same_sha256()
    {
        var source = new GeneratedContentStream(HundredMiB);
        var expectedSha256 = GeneratedContentStream.Sha256Of(HundredMiB);
        var watch = Stopwatch.StartNew();

        var stored = await Store.PutAsync(source, new ExpectedDigest(expectedSha256, HundredMiB, "big"), CancellationToken.None);
        var putTime = watch.Elapsed;
        var readSha256 = await ReadSha256Async(stored.Sha256, offset: 0);
        Output.WriteLine($"{GetType().Name}: put 100 MiB in {putTime.TotalSeconds:F2} s, read back in {(watch.Elapsed - putTime).TotalSeconds:F2} s");

        Assert.Equal(new StoredArtifact(expectedSha256, HundredMiB), stored);
        Assert.Equal(source.Sha256, stored.Sha256);
        Assert.Equal(expectedSha256, readSha256);
        Assert.Empty(TemporaryFiles());
        await Store.DeleteAsync(stored.Sha256, CancellationToken.None);
    }

    [Fact]
    public async Task Put_with_a_wrong_sha256_throws_DigestMismatchException_and_stores_nothing()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var actualSha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var wrongSha256 = new string('a', 64);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            Store.PutAsync(new MemoryStream(content), new ExpectedDigest(wrongSha256, null, "pool/h/hello.deb"), CancellationToken.None));

        Assert.Equal("pool/h/hello.deb", error.Name);
        Assert.Contains("pool/h/hello.deb", error.Message, StringComparison.Ordinal);
        Assert.Contains(wrongSha256, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(actualSha256, error.Message, StringComparison.Ordinal);
        Assert.Equal(ArtifactStoreReasons.DigestMismatch, error.Reason);
        Assert.False(await Store.ExistsAsync(actualSha256, CancellationToken.None));
        Assert.False(await Store.ExistsAsync(wrongSha256, CancellationToken.None));
        Assert.Equal(0, await CountObjectsAsync());
        Assert.Empty(TemporaryFiles());
    }

    [Theory]
    [InlineData(9_999)]
    [InlineData(10_001)]
    public async Task Put_with_a_wrong_size_throws_DigestMismatchException_naming_the_declared_size_only(long declared)
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            Store.PutAsync(new MemoryStream(content), new ExpectedDigest(sha256, declared, "hello.rpm"), CancellationToken.None));

        Assert.Equal($"hello.rpm: downloaded content does not have the declared size (declared: sha256 {sha256}, {declared} bytes)", error.Message);
        Assert.False(await Store.ExistsAsync(sha256, CancellationToken.None));
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task Put_accepts_an_expected_sha256_in_upper_case()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var sha256 = Convert.ToHexString(SHA256.HashData(content));

        var stored = await Store.PutAsync(new MemoryStream(content), new ExpectedDigest(sha256, 1000, "x"), CancellationToken.None);

        Assert.Equal(sha256.ToLowerInvariant(), stored.Sha256);
        Assert.True(await Store.ExistsAsync(sha256, CancellationToken.None));
    }

    [Fact]
    public async Task Put_with_a_malformed_expected_sha256_throws_ArgumentException_naming_the_artifact()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Store.PutAsync(new MemoryStream([1, 2, 3]), new ExpectedDigest("md5:abc", null, "index.json"), CancellationToken.None));

        Assert.Contains("index.json", error.Message, StringComparison.Ordinal);
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task Putting_identical_content_twice_stores_it_once()
    {
        var content = RandomNumberGenerator.GetBytes(50_000);

        var first = await Store.PutAsync(new MemoryStream(content), null, CancellationToken.None);
        var second = await Store.PutAsync(new MemoryStream(content), null, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(1, await CountObjectsAsync());
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task Open_with_an_offset_returns_the_tail()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var stored = await Store.PutAsync(new MemoryStream(content), null, CancellationToken.None);

        await using var stream = await Store.OpenReadAsync(stored.Sha256, 99_000, CancellationToken.None);

        Assert.NotNull(stream);
        Assert.Equal(100_000, stream.Length);
        Assert.Equal(99_000, stream.Position);
        var tail = new MemoryStream();
        await stream.CopyToAsync(tail);
        Assert.Equal(content[99_000..], tail.ToArray());
    }

    [Fact]
    public async Task Open_at_the_end_returns_an_empty_stream_and_past_the_end_throws()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var stored = await Store.PutAsync(new MemoryStream(content), null, CancellationToken.None);

        await using (var atEnd = await Store.OpenReadAsync(stored.Sha256, 1000, CancellationToken.None))
        {
            Assert.NotNull(atEnd);
            Assert.Equal(-1, atEnd.ReadByte());
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(stored.Sha256, 1001, CancellationToken.None));
    }

    [Fact]
    public async Task Missing_object_opens_as_null_and_does_not_exist()
    {
        var missing = Convert.ToHexStringLower(SHA256.HashData("missing"u8));

        Assert.Null(await Store.OpenReadAsync(missing, 0, CancellationToken.None));
        Assert.Null(await Store.OpenReadAsync(missing, 10, CancellationToken.None));
        Assert.False(await Store.ExistsAsync(missing, CancellationToken.None));
        Assert.Null(Store.TryGetLocalPath(missing));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        var stored = await Store.PutAsync(new MemoryStream([1, 2, 3]), null, CancellationToken.None);

        await Store.DeleteAsync(stored.Sha256, CancellationToken.None);
        await Store.DeleteAsync(stored.Sha256, CancellationToken.None);

        Assert.False(await Store.ExistsAsync(stored.Sha256, CancellationToken.None));
        Assert.Null(await Store.OpenReadAsync(stored.Sha256, 0, CancellationToken.None));
        Assert.Equal(0, await CountObjectsAsync());
    }

    [Fact]
    public async Task Cancelling_a_put_midway_leaves_no_temporary_file_and_no_object()
    {
        const long length = 8L * 1024 * 1024;
        using var cancel = new CancellationTokenSource();
        var source = new GeneratedContentStream(length) { CancelSource = cancel, CancelAfterBytes = length / 2 };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(source, null, cancel.Token));

        Assert.Empty(TemporaryFiles());
        Assert.False(await Store.ExistsAsync(GeneratedContentStream.Sha256Of(length), CancellationToken.None));
        Assert.Equal(0, await CountObjectsAsync());
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_content_from_8_tasks_all_succeed_and_store_one_object()
    {
        const long length = 3L * 1024 * 1024;
        var sha256 = GeneratedContentStream.Sha256Of(length, seed: 42);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Store.PutAsync(new GeneratedContentStream(length, seed: 42), new ExpectedDigest(sha256, length, "same"), CancellationToken.None))));

        Assert.All(results, result => Assert.Equal(new StoredArtifact(sha256, length), result));
        Assert.Equal(1, await CountObjectsAsync());
        Assert.Equal(sha256, await ReadSha256Async(sha256, offset: 0));
        Assert.Empty(TemporaryFiles());
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task Anything_but_64_hex_digits_is_rejected_as_an_object_name(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(name, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(name, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(name, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => Store.TryGetLocalPath(name));
    }

    protected async Task<string> ReadSha256Async(string sha256, long offset)
    {
        await using var stream = await Store.OpenReadAsync(sha256, offset, CancellationToken.None);
        Assert.NotNull(stream);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}
