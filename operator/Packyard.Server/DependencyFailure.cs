using Microsoft.AspNetCore.Http;
using Npgsql;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// How the content app answers when what it depends on fails, for downloads and uploads alike: a dead metadata
/// database or artifact store is a 503 with Retry-After (clients and CDNs retry), a full disk is a 507; never a 500.
/// The message names what failed, never its address or credentials.
/// </summary>
internal sealed record DependencyFailure(int StatusCode, string Message, string Detail)
{
    /// <summary>Seconds a client should wait before retrying a 503.</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>The answer for <paramref name="exception"/>, or null when it is not a failure of a dependency.</summary>
    public static DependencyFailure? From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (ArtifactStoreException.IsDiskFull(exception))
        {
            return new DependencyFailure(StatusCodes.Status507InsufficientStorage,
                "insufficient storage: the artifact store's disk is full", exception.Message);
        }

        return exception switch
        {
            NpgsqlException => new DependencyFailure(StatusCodes.Status503ServiceUnavailable,
                "metadata database unavailable, try again shortly", exception.Message),
            ArtifactStoreException => new DependencyFailure(StatusCodes.Status503ServiceUnavailable,
                "artifact store unavailable, try again shortly", exception.Message),
            _ => null,
        };
    }

    /// <summary>Sets the status (and Retry-After for a 503) on a response that has not started.</summary>
    public void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = StatusCode;
        if (StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = RetryAfterSeconds;
        }
    }
}
