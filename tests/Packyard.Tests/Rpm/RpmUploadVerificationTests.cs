using System.Net;
using Packyard.Tests.Deb;
using Packyard.Tests.Server;

namespace Packyard.Tests.Rpm;

/// <summary>An uploaded .rpm is checked whole (size and payload digest from its headers) before it is accepted.</summary>
public sealed class RpmUploadVerificationTests(RpmFixture fixture) : IClassFixture<RpmFixture>
{
    private static readonly RpmSpec Alpha = new("alpha", "1.0");

    private async Task<(string Name, string BasePath)> RepositoryAsync()
    {
        var name = $"uploads-{Guid.NewGuid():N}";
        var id = await fixture.Catalog.EnsureRepositoryAsync("default", name, "rpm", CancellationToken.None);
        await fixture.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        var basePath = ContentAppFixture.UniqueBasePath("rpms");
        await fixture.DistributeAsync(basePath, id);
        return (name, basePath);
    }

    [Theory]
    [InlineData("payload cut", "signature header says")]
    [InlineData("payload corrupt", "does not match the payload digest")]
    public async Task A_damaged_rpm_is_400_naming_what_is_wrong_and_the_good_package_stays_served(string damage, string expected)
    {
        await using var upstream = await RpmUpstream.CreateAsync();
        await upstream.AddAsync(Alpha);
        var good = await File.ReadAllBytesAsync(Path.Combine(upstream.Root, Alpha.FileName));
        var (name, basePath) = await RepositoryAsync();
        using var first = await UploadRequests.PostAsync(fixture.Http, name, good, Alpha.FileName);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await fixture.Notifier.Published;
        var bad = good.ToArray();
        if (damage == "payload cut")
        {
            bad = bad[..^200];
        }
        else
        {
            bad[^100] ^= 0xff;
        }

        using var response = await UploadRequests.PostAsync(fixture.Http, name, bad, Alpha.FileName);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await UploadRequests.ErrorAsync(response);
        Assert.Contains(Alpha.FileName, error);
        Assert.Contains(expected, error);
        await fixture.Notifier.Published;
        Assert.Equal(good, await fixture.Http.GetByteArrayAsync($"/{basePath}/Packages/a/{Alpha.FileName}"));
    }

    [Fact]
    public async Task A_different_rpm_with_the_same_name_epoch_version_release_and_arch_is_409_and_the_same_rpm_again_is_200()
    {
        await using var upstream = await RpmUpstream.CreateAsync();
        await upstream.AddAsync(Alpha);
        var signed = Path.Combine(upstream.Root, Alpha.FileName);
        var unsigned = Path.Combine(upstream.WorkPath, "unsigned-" + Alpha.FileName);
        File.Copy(signed, unsigned);
        await ProcessRunner.RunAsync("rpmsign", ["--delsign", unsigned]);
        var (name, _) = await RepositoryAsync();

        using var first = await UploadRequests.PostAsync(fixture.Http, name, await File.ReadAllBytesAsync(signed), Alpha.FileName);
        using var other = await UploadRequests.PostAsync(fixture.Http, name, await File.ReadAllBytesAsync(unsigned), Alpha.FileName);
        using var again = await UploadRequests.PostAsync(fixture.Http, name, await File.ReadAllBytesAsync(signed), Alpha.FileName);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Contains("alpha", await UploadRequests.ErrorAsync(other));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
