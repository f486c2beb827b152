using Packyard.Api.Conditions;
using Packyard.Api.Resources;

namespace Packyard.Controllers;

/// <summary>
/// Checks a Remote (URL, Secrets, duration) and records its download settings for syncs and on-demand serving.
/// Ready when the settings resolve; Stalled with the field to fix otherwise.
/// </summary>
public sealed class RemoteReconciler(ReconcileServices services, IResourceLookup lookup)
{
    public async Task<StepResult> ReconcileAsync(Remote remote, CancellationToken cancellationToken)
    {
        var result = await ReconcileSteps.GuardAsync(token => ResolveAsync(remote, token), cancellationToken);
        ReconcileSummarizer.Summarize(remote, result, services.Time.GetUtcNow(), services.Events);
        return result;
    }

    /// <summary>Stalls on a URL, Secret or duration the user must fix; otherwise saves the settings and is Done.</summary>
    private async Task<StepResult> ResolveAsync(Remote remote, CancellationToken cancellationToken)
    {
        try
        {
            var settings = RemoteSettingsBuilder.Build(remote, lookup);
            await services.Remotes.UpsertRemoteAsync(settings, cancellationToken);
            return StepResult.Done(Reasons.Succeeded, $"{remote.Spec.Type.ToName()} remote at {UrlSanitizer.Sanitize(settings.BaseUrl.ToString())} ({remote.Spec.Policy})");
        }
        catch (SecretReferenceException e)
        {
            return StepResult.Stalled(e.Reason, e.Message);
        }
        catch (FormatException e)
        {
            return StepResult.Stalled(Reasons.InvalidSpec, e.Message);
        }
    }
}
