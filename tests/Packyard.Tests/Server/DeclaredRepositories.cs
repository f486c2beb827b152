using System.Collections.Concurrent;
using Packyard.Api.Resources;
using Packyard.Server;

namespace Packyard.Tests.Server;

/// <summary>Repositories as a test declares them, for the upload endpoint of <see cref="ContentAppFixture"/>.</summary>
public sealed class DeclaredRepositories : IRepositorySource
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), Repository> repositories = new();

    public void Declare(Repository repository) => repositories[(repository.Namespace, repository.Name)] = repository;

    public Task<Repository?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult(repositories.GetValueOrDefault((ns, name)));
}
