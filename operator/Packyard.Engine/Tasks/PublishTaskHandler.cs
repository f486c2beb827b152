using Npgsql;
using Packyard.Engine.Downloads;
using Packyard.Api.Conditions;
using Packyard.Plugins;
using Packyard.Engine.Publishing;
using Packyard.Engine.Secrets;
using Packyard.Engine.Storage;

namespace Packyard.Engine.Tasks;

/// <summary>Runs a publish task: opens the sealed signing key and publishes the version (a version already published is left as it is).</summary>
public sealed class PublishTaskHandler(PublicationService publications, SecretCipher secrets) : ITaskHandler
{
    public string Kind => TaskKinds.Publish;

    public async Task<TaskResult> RunAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var args = task.PublishArgs;
        try
        {
            var key = args.SealedSigningKey is { } sealedKey
                ? Convert.FromBase64String(secrets.Open(sealedKey, $"the signing key of Repository {args.Repository}"))
                : null;
            await publications.PublishAsync(task.RepositoryId!.Value, args.Repository, args.Type, args.Version, new PublishOptions(key, args.TypeOptions),
                cancellationToken).ConfigureAwait(false);
            return TaskResult.Of(new PublishReport(true, args.Version, null, null));
        }
        catch (SecretKeyException e)
        {
            return TaskResult.Of(new PublishReport(false, args.Version, e.Reason, e.Message));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is PackyardException or ArtifactStoreException or IOException or NpgsqlException)
        {
            return TaskResult.Of(new PublishReport(false, args.Version, Reasons.PublishFailed, $"publishing version {args.Version} failed: {e.Message}"));
        }
    }
}
