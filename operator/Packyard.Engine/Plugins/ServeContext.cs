using Microsoft.AspNetCore.Http;

namespace Packyard.Engine.Plugins;

/// <summary>A request for a path inside a distribution, for type-specific routes.</summary>
public abstract class ServeContext
{
    public abstract HttpContext Http { get; }

    /// <summary>The distribution's base path, without slashes around it.</summary>
    public abstract string BasePath { get; }

    public abstract long RepositoryVersion { get; }

    /// <summary>Serves a published file or pass-through artifact of this publication; false when there is none.</summary>
    public abstract Task<bool> ServeFileAsync(string relativePath, CancellationToken cancellationToken);
}
