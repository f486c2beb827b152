using Packyard.Engine.Catalog;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>A repository as <see cref="InMemoryCatalog"/> keeps it: versions newest first, publications by version.</summary>
internal sealed class StoredRepository(long id, string type)
{
    public long Id { get; } = id;

    public string Type { get; } = type;

    public List<RepositoryVersionInfo> Versions { get; } = [];

    public Dictionary<long, DateTimeOffset> Publications { get; } = [];

    /// <summary>The publish options fingerprint each publication was made with; none recorded counts as current.</summary>
    public Dictionary<long, string> PublicationFingerprints { get; } = [];

    public bool UploadsEnabled { get; set; }

    public string? SyncFingerprint { get; set; }

    public DateTimeOffset? LastSyncStarted { get; set; }

    public long Latest => Versions[0].Number;

    /// <summary>Adds the next version (version 0 first) with <paramref name="added"/> units more and <paramref name="removed"/> fewer.</summary>
    public RepositoryVersionInfo AddVersion(DateTimeOffset created, long added, long removed)
    {
        var count = Versions.Count == 0 ? 0 : Versions[0].ContentCount;
        var version = new RepositoryVersionInfo(Versions.Count, created, added, removed, count + added - removed);
        Versions.Insert(0, version);
        return version;
    }
}
