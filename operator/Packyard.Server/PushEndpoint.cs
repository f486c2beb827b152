using Microsoft.AspNetCore.Http;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Versions;

namespace Packyard.Server;

/// <summary>Opens pushes for <see cref="RootRequest.OpenPushAsync"/>: the distribution, its repository, and the upload API's checks.</summary>
public sealed class PushEndpoint(NpgsqlDataSource dataSource, DistributionCache distributions, UploadEndpoint uploads, PushService pushes,
    IRepositoryChangeNotifier notifier, PushOptions options, TimeProvider time)
{
    internal DistributionCache Distributions => distributions;

    internal IRepositoryChangeNotifier Notifier => notifier;

    internal async Task<PushTarget?> OpenAsync(HttpContext http, string basePath, ErrorResponder errors, CancellationToken cancellationToken)
    {
        if (await distributions.MatchAsync(basePath, cancellationToken) is not ({ } distribution, ""))
        {
            await errors(http, StatusCodes.Status404NotFound, $"no Distribution has basePath '{basePath}'");
            return null;
        }

        string? ns = null, name = null;
        await using (var command = dataSource.CreateCommand("select namespace, name from repositories where id = $1 and deleted is null"))
        {
            command.AddParameters(distribution.RepositoryId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                (ns, name) = (reader.GetString(0), reader.GetString(1));
            }
        }

        if (ns is null || name is null)
        {
            await errors(http, StatusCodes.Status404NotFound, $"the repository of Distribution {distribution.Namespace}/{distribution.Name} does not exist");
            return null;
        }

        var admission = await uploads.AdmitAsync(http, ns, name, cancellationToken);
        if (admission.Target is not { } target)
        {
            if (admission.Status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"packyard\", charset=\"UTF-8\"";
            }
            else if (admission.Status == StatusCodes.Status503ServiceUnavailable)
            {
                http.Response.Headers.RetryAfter = "5";
            }

            var status = admission.Status == StatusCodes.Status409Conflict ? StatusCodes.Status403Forbidden : admission.Status;
            await errors(http, status, admission.Message!);
            return null;
        }

        return new RepositoryPush(http, pushes, this, target.RepositoryId, ns, name, target.Type, admission.Declared?.Spec.Publish?.Enabled ?? true);
    }

    /// <summary>Waits until a publication of <paramref name="version"/> (or newer) exists, at most <see cref="PushOptions.PublicationWait"/>.</summary>
    internal async Task WaitForPublicationAsync(long repositoryId, long version, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.PublicationWait;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        while (true)
        {
            if (await connection.ScalarAsync<bool>("select exists (select 1 from publications where repository_id = $1 and version >= $2)",
                cancellationToken, repositoryId, version))
            {
                distributions.Invalidate();
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }
}
