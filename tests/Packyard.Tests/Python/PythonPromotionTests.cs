using Packyard.Api.Resources;
using Packyard.Engine.Promotions;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Python;

/// <summary>Promotion selects python content by PEP 508 requirement: name and PEP 440 specifiers.</summary>
public sealed class PythonPromotionTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Theory]
    [InlineData("myapp==1.4.2", "myapp-1.4.2-py3-none-any.whl")]
    [InlineData("MyApp>=1.4,<2", "myapp-1.4.2-py3-none-any.whl|myapp-1.5.0-py3-none-any.whl")]
    [InlineData("myapp~=1.4.0|libfoo", "libfoo-0.1-py3-none-any.whl|myapp-1.4.2-py3-none-any.whl")]
    [InlineData("myapp>=2.0rc1", "myapp-2.0rc1-py3-none-any.whl")]
    public async Task Promotion_selects_files_by_project_and_version_specifier(string names, string expected)
    {
        using var build = new TemporaryDirectory();
        var source = await engine.Catalog.EnsureRepositoryAsync("default", $"src-{Guid.NewGuid():N}", "python", CancellationToken.None);
        var target = await engine.Catalog.EnsureRepositoryAsync("default", $"dst-{Guid.NewGuid():N}", "python", CancellationToken.None);
        foreach (var (project, version) in new[] { ("myapp", "1.3.0"), ("myapp", "1.4.2"), ("myapp", "1.5.0"), ("myapp", "2.0rc1"), ("libfoo", "0.1") })
        {
            var wheel = PythonPackage.Wheel(build.Path, project, version);
            await using var stream = File.OpenRead(wheel);
            await engine.Get<UploadService>().UploadAsync(source, "source", "python", Path.GetFileName(wheel), new Dictionary<string, string>(), stream, CancellationToken.None);
        }

        var outcome = await engine.Get<PromotionService>().PromoteAsync(source, null, target, "python",
            new PromotionSelect { Names = [.. names.Split('|')] }, PromotionMode.Merge, CancellationToken.None);

        Assert.Equal(expected.Split('|').Length, outcome.Target.Added);
        await using var command = engine.DataSource.CreateCommand(
            "select cu.repo_key from repository_content rc join content_units cu on cu.id = rc.content_id where rc.repository_id = $1 and rc.version_removed is null order by 1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = target });
        var promoted = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            promoted.Add(reader.GetString(0));
        }

        Assert.Equal(expected.Split('|'), promoted);
    }
}
