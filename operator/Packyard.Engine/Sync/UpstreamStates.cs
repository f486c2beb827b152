using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Database;

namespace Packyard.Engine.Sync;

/// <summary>
/// Remembers what the last successful sync of a repository from a remote saw upstream (<see cref="Plugins.SyncContext.UpstreamState"/>),
/// so that an unchanged upstream is recognised before any unit is staged.
/// </summary>
internal static class UpstreamStates
{
    /// <summary>A digest of the settings that decide what a sync declares and how a version is made from it.</summary>
    public static string Settings(SyncRequest request)
    {
        var remote = request.Remote;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { remote.Type, remote.BaseUrl.ToString(), remote.Policy.ToString(), TypeOptionsJson.Write(remote.TypeOptions), request.Mode.ToString() })
        {
            hash.AppendData(Encoding.UTF8.GetBytes(part));
            hash.AppendData([0]);
        }

        hash.AppendData(remote.VerificationKeys ?? []);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The state stored by the last successful sync with these settings, if the version it left is still the latest.</summary>
    public static async Task<string?> LoadAsync(NpgsqlConnection connection, SyncRequest request, string settings, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            select s.state from sync_upstream_states s join repositories r on r.id = s.repository_id
            where s.repository_id = $1 and s.remote_id = $2 and s.settings = $3 and s.version = r.latest_version
            """, connection).AddParameters(request.RepositoryId, request.RemoteId, settings);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Records <paramref name="state"/> (or forgets the previous one when null) after a successful sync that left <paramref name="version"/> latest.</summary>
    public static Task SaveAsync(NpgsqlConnection connection, SyncRequest request, string settings, string? state, long version, CancellationToken cancellationToken) =>
        state is null
            ? connection.ExecuteAsync("delete from sync_upstream_states where repository_id = $1 and remote_id = $2", cancellationToken, request.RepositoryId, request.RemoteId)
            : connection.ExecuteAsync("""
                insert into sync_upstream_states (repository_id, remote_id, settings, state, version) values ($1, $2, $3, $4, $5)
                on conflict (repository_id, remote_id) do update set settings = excluded.settings, state = excluded.state, version = excluded.version, updated = now()
                """, cancellationToken, request.RepositoryId, request.RemoteId, settings, state, version);

    /// <summary>The latest version of the repository and its number of units.</summary>
    public static async Task<(long Version, long ContentCount)> LatestAsync(NpgsqlConnection connection, long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            select r.latest_version, coalesce(v.content_count, 0) from repositories r
            left join repository_versions v on v.repository_id = r.id and v.number = r.latest_version
            where r.id = $1
            """, connection).AddParameters(repositoryId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
