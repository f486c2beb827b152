using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Secrets;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>Remote credentials are stored encrypted (AES-GCM, <c>--secret-key-file</c>): a dump of the database shows none.</summary>
public sealed class RemoteSecretsTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private const string Password = "basic-password-4f1c9e";
    private const string Token = "bearer-token-7d2a61";
    private const string UrlPassword = "url-userinfo-pass-93bb";
    private const string ProxyPassword = "proxy-password-1e55";
    private const string ClientKey = "-----BEGIN PRIVATE KEY-----client-key-b7c3-----END PRIVATE KEY-----";
    private static readonly string[] Secrets = [Password, Token, UrlPassword, ProxyPassword, ClientKey, "client-key-b7c3"];

    /// <summary>The whole database as <c>pg_dump</c> writes it (schema and data, plain SQL).</summary>
    private async Task<string> DumpAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(engine.ConnectionString);
        var start = new ProcessStartInfo("/usr/lib/postgresql/15/bin/pg_dump")
        {
            ArgumentList = { "-h", connection.Host!, "-p", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", connection.Username!, "-d", connection.Database! },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(process.ExitCode == 0, $"pg_dump failed: {await error}");
        return await output;
    }

    private async Task<(SyncOutcome Outcome, long RemoteId)> SyncStoredRemoteAsync(string name, RemoteSettings settings)
    {
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var remoteId = await engine.Catalog.UpsertRemoteAsync(settings, CancellationToken.None);
        // As a worker does: the settings come back from the database, credentials included.
        var stored = await engine.Catalog.GetRemoteAsync(remoteId, CancellationToken.None);
        Assert.NotNull(stored);
        var outcome = await engine.Get<SyncService>().SyncAsync(new SyncRequest(repositoryId, name, remoteId, stored, SyncMode.Mirror), null, CancellationToken.None);
        return (outcome, remoteId);
    }

    private static RemoteSettings Remote(string name, Uri url) =>
        new() { Namespace = "default", Name = name, Type = "file", BaseUrl = UpstreamPaths.AsBase(url), Concurrency = 2, Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_database_dump_holds_none_of_the_remote_credentials_while_syncs_with_them_succeed()
    {
        using var files = new FileUpstream().Put("a.txt", "behind basic auth").Put("b.txt", "behind a token").WriteManifest();
        await using var basic = await HttpUpstream.StartAsync(files.Path);
        basic.RequiredBasicAuth = ("reader", Password);
        await using var bearer = await HttpUpstream.StartAsync(files.Path);
        bearer.RequiredBearerToken = Token;

        await using var open = await HttpUpstream.StartAsync(files.Path);

        var (basicSync, basicId) = await SyncStoredRemoteAsync("secret-basic", Remote("secret-basic", basic.Url) with { Username = "reader", Password = Password });
        var (tokenSync, tokenId) = await SyncStoredRemoteAsync("secret-token", Remote("secret-token", bearer.Url) with { Token = Token });
        // Credentials in the URL's user-info, and proxy credentials and a client key (stored only: no proxy or TLS here).
        var userInfoUrl = new Uri($"http://urluser:{UrlPassword}@127.0.0.1:{open.Url.Port}/");
        var (userInfoSync, userInfoId) = await SyncStoredRemoteAsync("secret-userinfo", Remote("secret-userinfo", userInfoUrl));
        var proxyId = await engine.Catalog.UpsertRemoteAsync(Remote("secret-proxy", open.Url) with
        {
            ProxyUrl = $"http://proxyuser:{ProxyPassword}@127.0.0.1:3128",
            ProxyUsername = "proxyuser",
            ProxyPassword = ProxyPassword,
            ClientKeyPem = ClientKey,
        }, CancellationToken.None);

        Assert.Equal((2, 2, 2), (basicSync.Added, tokenSync.Added, userInfoSync.Added));
        Assert.Equal((2, 1, 1), (basic.RequestsFor("a.txt") + basic.RequestsFor("b.txt"), bearer.RequestsFor("PULP_MANIFEST"), open.RequestsFor("PULP_MANIFEST")));
        var dump = await DumpAsync();
        Assert.Contains("secret-basic", dump);
        Assert.Contains("secret-userinfo", dump);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, dump);
        }

        var basicRemote = await engine.Catalog.GetRemoteAsync(basicId, CancellationToken.None);
        Assert.Equal(("reader", Password), (basicRemote!.Username, basicRemote.Password));
        Assert.Equal(Token, (await engine.Catalog.GetRemoteAsync(tokenId, CancellationToken.None))!.Token);
        Assert.Equal($"urluser:{UrlPassword}", (await engine.Catalog.GetRemoteAsync(userInfoId, CancellationToken.None))!.BaseUrl.UserInfo);
        var proxy = await engine.Catalog.GetRemoteAsync(proxyId, CancellationToken.None);
        Assert.Equal((ProxyPassword, ClientKey, $"http://proxyuser:{ProxyPassword}@127.0.0.1:3128"), (proxy!.ProxyPassword, proxy.ClientKeyPem, proxy.ProxyUrl));
    }

    [Fact]
    public async Task Saving_an_unchanged_remote_again_leaves_its_row_as_it_was()
    {
        var settings = Remote("secret-stable", new Uri("http://127.0.0.1:9/")) with { Username = "u", Password = Password };
        var id = await engine.Catalog.UpsertRemoteAsync(settings, CancellationToken.None);
        var before = await RowAsync(id);
        await engine.Catalog.UpsertRemoteAsync(settings, CancellationToken.None);

        Assert.Equal(before, await RowAsync(id));
    }

    [Fact]
    public async Task Credentials_stored_in_clear_before_encryption_still_read_and_are_sealed_on_the_next_save()
    {
        var settings = Remote("secret-legacy", new Uri("http://127.0.0.1:9/")) with { Username = "legacy", Password = Password, Token = Token };
        var id = await engine.Catalog.UpsertRemoteAsync(settings, CancellationToken.None);
        await using (var legacy = engine.DataSource.CreateCommand("update remotes set config = $1::jsonb where id = $2"))
        {
            legacy.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(settings, EngineJsonContext.Default.RemoteSettings) });
            legacy.Parameters.Add(new NpgsqlParameter { Value = id });
            await legacy.ExecuteNonQueryAsync();
        }

        Assert.Contains(Password, (await RowAsync(id)).Config);
        var read = await engine.Catalog.GetRemoteAsync(id, CancellationToken.None);
        Assert.Equal(("legacy", Password, Token), (read!.Username, read.Password, read.Token));

        await engine.Catalog.UpsertRemoteAsync(read, CancellationToken.None);

        var row = await RowAsync(id);
        Assert.DoesNotContain(Password, row.Config);
        Assert.DoesNotContain(Token, row.Config);
        Assert.Equal(Password, (await engine.Catalog.GetRemoteAsync(id, CancellationToken.None))!.Password);
    }

    [Fact]
    public async Task Credentials_read_with_another_key_fail_with_a_message_naming_the_remote_and_the_key_option()
    {
        var id = await engine.Catalog.UpsertRemoteAsync(
            Remote("secret-other-key", new Uri("http://127.0.0.1:9/")) with { Token = Token }, CancellationToken.None);
        var otherKey = new EngineCatalog(engine.DataSource, new SecretCipher(new byte[SecretCipher.KeySize]));

        var error = await Assert.ThrowsAsync<SecretKeyException>(() => otherKey.GetRemoteAsync(id, CancellationToken.None));

        Assert.Contains("Remote default/secret-other-key", error.Message);
        Assert.Contains("--secret-key-file", error.Message);
        Assert.DoesNotContain(Token, error.Message);
        Assert.Equal("SecretKeyMismatch", error.Reason);
    }

    [Fact]
    public void Fingerprints_of_settings_with_credentials_cannot_be_recomputed_without_the_key()
    {
        var settings = $"file\nhttp://127.0.0.1:9/\nreader\n{Password}";
        var cipher = new SecretCipher(Enumerable.Range(1, SecretCipher.KeySize).Select(i => (byte)i).ToArray());

        var fingerprint = cipher.Fingerprint(settings);

        Assert.Equal(fingerprint, cipher.Fingerprint(settings));
        Assert.NotEqual(fingerprint, cipher.Fingerprint(settings + "x"));
        Assert.NotEqual(fingerprint, new SecretCipher(new byte[SecretCipher.KeySize]).Fingerprint(settings));
        Assert.NotEqual(fingerprint, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(settings))));
    }

    [Theory]
    [InlineData("CHANGE-ME-openssl-rand-base64-32")]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    public void A_key_file_without_a_256_bit_key_is_refused_saying_how_to_make_one(string content)
    {
        using var folder = new TemporaryDirectory();
        var path = Path.Combine(folder.Path, "key");
        File.WriteAllText(path, content + "\n");

        var error = Assert.Throws<SecretKeyFileException>(() => SecretKeyFile.Read(path));

        Assert.Contains($"--secret-key-file {path}", error.Message);
        Assert.Contains("openssl rand -base64 32", error.Message);
    }

    [Fact]
    public void A_missing_default_key_file_is_generated_readable_only_by_its_owner_and_then_reused()
    {
        using var folder = new TemporaryDirectory();
        var path = Path.Combine(folder.Path, "data", "secret-key");

        var first = SecretKeyFile.ReadOrCreate(path);
        var second = SecretKeyFile.ReadOrCreate(path);

        Assert.Equal(SecretCipher.KeySize, first.Length);
        Assert.Equal(first, second);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    private async Task<(string Config, string Url, DateTime Updated)> RowAsync(long id)
    {
        await using var command = engine.DataSource.CreateCommand("select config::text, url, updated from remotes where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetString(1), reader.GetDateTime(2));
    }
}
