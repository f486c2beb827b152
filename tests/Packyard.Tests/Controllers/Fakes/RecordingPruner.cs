using Packyard.Engine.Versions;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>The version pruner port, recording what it was asked to prune.</summary>
internal sealed class RecordingPruner : IVersionPruner
{
    public List<(long RepositoryId, string Repository, int Retain)> Calls { get; } = [];

    public Task<int> PruneAsync(long repositoryId, string repositoryName, int retain, CancellationToken cancellationToken)
    {
        Calls.Add((repositoryId, repositoryName, retain));
        return Task.FromResult(0);
    }
}
