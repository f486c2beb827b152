using Npgsql;
using Packyard.Api.Conditions;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Secrets;
using Packyard.Engine.Storage;
using Packyard.Plugins;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Publishes a repository version from a task's <see cref="PublishTaskArgs"/>: opens the sealed signing key and runs the
/// publication (a version already published is left as it is). The one place a worker publishes: a publish task, and a sync
/// task publishing the version it created in the same claim. Failures the user can act on are reports, never exceptions.
/// </summary>
public sealed class VersionPublisher(PublicationService publications, SecretCipher secrets)
{
    public async Task<PublishReport> PublishAsync(long repositoryId, PublishTaskArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            var key = args.SealedSigningKey is { } sealedKey
                ? Convert.FromBase64String(secrets.Open(sealedKey, $"the signing key of Repository {args.Repository}"))
                : null;
            await publications.PublishAsync(repositoryId, args.Repository, args.Type, args.Version, new PublishOptions(key, args.TypeOptions),
                cancellationToken).ConfigureAwait(false);
            return new PublishReport(true, args.Version, null, null);
        }
        catch (SecretKeyException e)
        {
            return new PublishReport(false, args.Version, e.Reason, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is PackyardException or ArtifactStoreException or IOException or NpgsqlException)
        {
            return new PublishReport(false, args.Version, Reasons.PublishFailed, $"publishing version {args.Version} failed: {e.Message}");
        }
    }
}
