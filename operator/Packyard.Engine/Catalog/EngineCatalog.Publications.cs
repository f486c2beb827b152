using Npgsql;
using Packyard.Engine.Publishing;

namespace Packyard.Engine.Catalog;

public sealed partial class EngineCatalog
{
    /// <summary>
    /// Whether <paramref name="version"/> of the repository has a publication made with the publish options of
    /// <paramref name="optionsFingerprint"/> (<see cref="PublishOptionsFingerprint"/>; null: any), or one made before fingerprints
    /// were recorded.
    /// </summary>
    public async Task<bool> IsPublishedAsync(long repositoryId, long version, string? optionsFingerprint, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select options_fingerprint from publications where repository_id = $1 and version = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            && PublishOptionsFingerprint.IsCurrent(reader.IsDBNull(0) ? null : reader.GetString(0), optionsFingerprint);
    }
}
