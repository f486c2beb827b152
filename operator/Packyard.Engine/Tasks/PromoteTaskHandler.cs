using Npgsql;
using Packyard.Engine.Downloads;
using Packyard.Api.Conditions;
using Packyard.Engine.Promotions;

namespace Packyard.Engine.Tasks;

/// <summary>Runs a promote task into the target repository whose lock the task holds.</summary>
public sealed class PromoteTaskHandler(PromotionService promotions) : ITaskHandler
{
    public string Kind => TaskKinds.Promote;

    public async Task<TaskResult> RunAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var args = task.PromoteArgs;
        try
        {
            var outcome = await promotions.PromoteAsync(args.SourceId, args.SourceVersion, task.RepositoryId!.Value, args.Type, args.Select, args.Mode,
                cancellationToken).ConfigureAwait(false);
            return TaskResult.Of(new PromoteReport(true, null, null, outcome.SourceVersion, outcome.Target.Version, outcome.Target.Created,
                outcome.Target.Added, outcome.Target.Removed));
        }
        catch (SourceVersionNotFoundException e)
        {
            return TaskResult.Of(new PromoteReport(false, Reasons.VersionNotFound, e.Message, 0, 0, false, 0, 0));
        }
        catch (NothingSelectedException e)
        {
            return TaskResult.Of(new PromoteReport(false, Reasons.NothingSelected, $"{args.Source}: {e.Message}", 0, 0, false, 0, 0));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is PackyardException or IOException or NpgsqlException)
        {
            return TaskResult.Of(new PromoteReport(false, Reasons.PromotionFailed, $"promoting into {args.Target} failed: {e.Message}", 0, 0, false, 0, 0));
        }
    }
}
