using Npgsql;

namespace Packyard.Engine.Catalog;

public sealed partial class EngineCatalog
{
    /// <summary>Whether <paramref name="version"/> of the repository has a publication (a pinned Distribution serves it).</summary>
    public async Task<bool> IsPublishedAsync(long repositoryId, long version, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select exists (select 1 from publications where repository_id = $1 and version = $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }
}
