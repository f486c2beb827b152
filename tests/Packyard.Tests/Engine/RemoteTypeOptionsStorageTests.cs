using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>
/// A Remote's type block crosses the database (<c>remotes.config</c>) typed, through the API's one JSON context, and reads
/// back as the class the content type reads; rows written when it was JSON text still read, with the same fingerprint text.
/// </summary>
public sealed class RemoteTypeOptionsStorageTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private static readonly DebRemoteOptions Deb = new()
    {
        Distributions = ["bookworm"], Architectures = ["amd64", "all"], Sources = true, SigningKeySecretRef = new SecretReference { Name = "debian-key" },
    };

    public static TheoryData<string, string> BlocksAsTheyWereHandedOver() => new()
    {
        { "file", """{"manifest":"FILES"}""" },
        { "python", """{"includes":["django\u003E=4.2"],"packageTypes":["bdist_wheel"],"excludePlatforms":["windows"],"prereleases":true}""" },
        { "deb", """{"distributions":["bookworm"],"architectures":["amd64","all"],"sources":true,"signingKeySecretRef":{"name":"debian-key"}}""" },
        { "rpm", """{"skipTypes":["srpm"],"signingKeySecretRef":{"name":"fedora-key","key":"key.asc"}}""" },
        { "container", """{"upstreamName":"library/nginx","includeTags":["1.*"]}""" },
    };

    [Theory]
    [MemberData(nameof(BlocksAsTheyWereHandedOver))]
    public void A_block_writes_as_the_json_text_content_types_were_handed_before_so_sync_fingerprints_stay_the_same(string type, string json)
    {
        var block = TypeOptionsJson.Read<RemoteTypeOptions>(type, json);

        Assert.Equal(type, block!.GetType().Name.Replace("RemoteOptions", "", StringComparison.Ordinal).ToLowerInvariant());
        Assert.Equal(json, TypeOptionsJson.Write(block));
    }

    [Fact]
    public void No_block_writes_as_an_empty_object()
    {
        Assert.Equal("{}", TypeOptionsJson.Write(null));
        Assert.Null(TypeOptionsJson.Read<RemoteTypeOptions>("deb", "{}"));
    }

    [Fact]
    public async Task A_stored_type_block_reads_back_as_the_class_the_content_type_reads()
    {
        var id = await engine.Catalog.UpsertRemoteAsync(Remote("typed") with { TypeOptions = Deb }, CancellationToken.None);

        var stored = await engine.Catalog.GetRemoteAsync(id, CancellationToken.None);

        var deb = Assert.IsType<DebRemoteOptions>(stored!.TypeOptions);
        Assert.Equal(["bookworm"], deb.Distributions!);
        Assert.Equal(["amd64", "all"], deb.Architectures!);
        Assert.Equal((true, "debian-key"), (deb.Sources, deb.SigningKeySecretRef!.Name));
        Assert.Contains("\"$type\": \"deb\"", await ConfigAsync(id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_written_when_the_block_was_json_text_reads_typed_with_the_same_fingerprint_text()
    {
        var id = await engine.Catalog.UpsertRemoteAsync(Remote("legacy"), CancellationToken.None);
        const string optionsJson = """{"distributions":["bookworm"],"sources":false}""";
        await using (var legacy = engine.DataSource.CreateCommand("update remotes set config = config - 'typeOptions' || jsonb_build_object('optionsJson', $1::text) where id = $2"))
        {
            legacy.Parameters.Add(new NpgsqlParameter { Value = optionsJson });
            legacy.Parameters.Add(new NpgsqlParameter { Value = id });
            await legacy.ExecuteNonQueryAsync();
        }

        var stored = await engine.Catalog.GetRemoteAsync(id, CancellationToken.None);

        Assert.Equal(["bookworm"], Assert.IsType<DebRemoteOptions>(stored!.TypeOptions).Distributions!);
        Assert.Equal(optionsJson, TypeOptionsJson.Write(stored.TypeOptions));
    }

    [Fact]
    public void The_type_discriminator_is_read_wherever_jsonb_puts_it()
    {
        var json = """{"namespace":"default","name":"late","type":"deb","baseUrl":"http://127.0.0.1:9/","typeOptions":{"distributions":["sid"],"$type":"deb"}}""";

        var remote = RemoteConfigCodec.Decode(json, null);

        Assert.Equal(["sid"], Assert.IsType<DebRemoteOptions>(remote.TypeOptions).Distributions!);
    }

    private static RemoteSettings Remote(string name) =>
        new() { Namespace = "default", Name = $"options-{name}", Type = "deb", BaseUrl = new Uri("http://127.0.0.1:9/") };

    private async Task<string> ConfigAsync(long id)
    {
        await using var command = engine.DataSource.CreateCommand("select config::text from remotes where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
