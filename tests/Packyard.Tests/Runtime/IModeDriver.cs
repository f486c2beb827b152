namespace Packyard.Tests.Runtime;

/// <summary>
/// One mode of Packyard as a user drives it: manifests applied and deleted (files of a manifests folder, or kubectl), status read
/// (<c>/api/v1/resources</c>, or the objects' status), content fetched over HTTP. One file holds one or more resources.
/// </summary>
public interface IModeDriver : IAsyncDisposable
{
    /// <summary>The content app (distributions under their base paths).</summary>
    HttpClient Http { get; }

    /// <summary>Creates or replaces the resources of <paramref name="file"/> with <paramref name="yaml"/> (no namespace: the mode's own).</summary>
    Task ApplyAsync(string file, string yaml);

    /// <summary>
    /// Like <see cref="ApplyAsync"/>, but returns why the mode refused the resources at once (the API server's admission in operator
    /// mode) instead of failing; null when it took them (a manifests folder takes every file, and checks it when it reads it).
    /// </summary>
    Task<string?> TryApplyAsync(string file, string yaml);

    /// <summary>Deletes the resources of <paramref name="file"/>.</summary>
    Task DeleteAsync(string file);

    /// <summary>The resource as the mode shows it now, or null when it does not exist (or cannot be read yet).</summary>
    Task<ResourceState?> GetAsync(string kind, string name);

    /// <summary>What the Packyard process printed, for failure messages.</summary>
    string Output { get; }
}
