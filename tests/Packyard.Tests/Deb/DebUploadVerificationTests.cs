using System.Net;
using System.Text;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

/// <summary>An uploaded .deb is checked whole (every ar member, control and data archives to their end) before it is accepted.</summary>
public sealed class DebUploadVerificationTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    public enum Damage
    {
        DataMemberMissing,
        DataTarXzCutMidStream,
        FileCutInDataMember,
        ControlTarCorrupt,
    }

    private async Task<(string Name, string BasePath)> RepositoryAsync()
    {
        var name = $"uploads-{Guid.NewGuid():N}";
        var id = await fixture.Catalog.EnsureRepositoryAsync("default", name, "deb", CancellationToken.None);
        await fixture.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        var basePath = ContentAppFixture.UniqueBasePath("debs");
        await fixture.DistributeAsync(basePath, id);
        return (name, basePath);
    }

    [Theory]
    [InlineData(Damage.DataMemberMissing, "has no data.tar member")]
    [InlineData(Damage.DataTarXzCutMidStream, "data.tar.xz cannot be read")]
    [InlineData(Damage.FileCutInDataMember, "is cut: ar member 'data.tar.xz' ends before")]
    [InlineData(Damage.ControlTarCorrupt, "control.tar.xz cannot be read")]
    public async Task A_damaged_deb_is_400_naming_what_is_wrong_and_the_good_package_stays_served(Damage damage, string expected)
    {
        await using var builder = await AptUpstream.CreateAsync();
        var good = await File.ReadAllBytesAsync(await builder.BuildDebAsync("hello", "2.10-3", "amd64", "xz"));
        var (name, basePath) = await RepositoryAsync();
        using var first = await UploadRequests.PostAsync(fixture.Http, name, good, "hello.deb");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await fixture.Notifier.Published;

        using var response = await UploadRequests.PostAsync(fixture.Http, name, Damaged(good, damage), "hello_2.10-3_amd64.deb");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await UploadRequests.ErrorAsync(response);
        Assert.Contains("hello_2.10-3_amd64.deb", error);
        Assert.Contains(expected, error);
        await fixture.Notifier.Published;
        Assert.Equal(good, await fixture.Http.GetByteArrayAsync($"/{basePath}/pool/main/h/hello/hello_2.10-3_amd64.deb"));
    }

    [Fact]
    public async Task A_different_deb_for_an_existing_package_version_and_architecture_is_409_and_the_same_deb_again_is_200()
    {
        await using var builder = await AptUpstream.CreateAsync();
        var xz = await File.ReadAllBytesAsync(await builder.BuildDebAsync("tree", "2.1.0-1", "amd64", "xz"));
        var gzip = await File.ReadAllBytesAsync(await builder.BuildDebAsync("tree", "2.1.0-1", "amd64", "gzip"));
        var (name, basePath) = await RepositoryAsync();

        using var first = await UploadRequests.PostAsync(fixture.Http, name, xz, "tree.deb");
        using var other = await UploadRequests.PostAsync(fixture.Http, name, gzip, "tree.deb");
        using var otherDistribution = await UploadRequests.PostAsync(fixture.Http, name, gzip, "tree.deb", ("distribution", "testing"));
        using var again = await UploadRequests.PostAsync(fixture.Http, name, xz, "tree.deb");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Contains("tree 2.1.0-1", await UploadRequests.ErrorAsync(other));
        // Another distribution, same pool file name: still another file at the same URL.
        Assert.Equal(HttpStatusCode.Conflict, otherDistribution.StatusCode);
        Assert.Contains("pool/main/t/tree/tree_2.1.0-1_amd64.deb", await UploadRequests.ErrorAsync(otherDistribution));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await fixture.Notifier.Published;
        Assert.Equal(xz, await fixture.Http.GetByteArrayAsync($"/{basePath}/pool/main/t/tree/tree_2.1.0-1_amd64.deb"));
    }

    private static byte[] Damaged(byte[] deb, Damage damage)
    {
        var members = ReadAr(deb);
        switch (damage)
        {
            case Damage.DataMemberMissing:
                return WriteAr(members.Where(m => !m.Name.StartsWith("data.tar", StringComparison.Ordinal)));
            case Damage.DataTarXzCutMidStream:
                return WriteAr(members.Select(m => m.Name == "data.tar.xz" ? (m.Name, m.Data[..(m.Data.Length / 2)]) : m));
            case Damage.ControlTarCorrupt:
                return WriteAr(members.Select(m => m.Name == "control.tar.xz" ? (m.Name, Flip(m.Data, m.Data.Length / 2)) : m));
            default:
                var dataStart = IndexOfMember(deb, "data.tar.xz");
                return deb[..(dataStart + 60 + 40)];
        }
    }

    private static byte[] Flip(byte[] data, int at)
    {
        var copy = data.ToArray();
        copy[at] ^= 0xff;
        return copy;
    }

    private static int IndexOfMember(byte[] deb, string name)
    {
        var position = 8;
        while (position + 60 <= deb.Length)
        {
            var memberName = Encoding.ASCII.GetString(deb, position, 16).TrimEnd(' ').TrimEnd('/');
            var size = int.Parse(Encoding.ASCII.GetString(deb, position + 48, 10).Trim());
            if (memberName == name)
            {
                return position;
            }

            position += 60 + size + (size & 1);
        }

        throw new InvalidOperationException($"no member {name}");
    }

    private static List<(string Name, byte[] Data)> ReadAr(byte[] deb)
    {
        var members = new List<(string, byte[])>();
        var position = 8;
        while (position + 60 <= deb.Length)
        {
            var name = Encoding.ASCII.GetString(deb, position, 16).TrimEnd(' ').TrimEnd('/');
            var size = int.Parse(Encoding.ASCII.GetString(deb, position + 48, 10).Trim());
            members.Add((name, deb[(position + 60)..(position + 60 + size)]));
            position += 60 + size + (size & 1);
        }

        return members;
    }

    private static byte[] WriteAr(IEnumerable<(string Name, byte[] Data)> members)
    {
        using var output = new MemoryStream();
        output.Write("!<arch>\n"u8);
        foreach (var (name, data) in members)
        {
            output.Write(Encoding.ASCII.GetBytes($"{name,-16}{"0",-12}{"0",-6}{"0",-6}{"100644",-8}{data.Length,-10}`\n"));
            output.Write(data);
            if ((data.Length & 1) != 0)
            {
                output.WriteByte((byte)'\n');
            }
        }

        return output.ToArray();
    }
}
