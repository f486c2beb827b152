using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Packyard.Engine.History;
using Packyard.Manifests;
using Packyard.Verbs;

namespace Packyard.Hosting;

/// <summary>
/// The read-only <c>/api/v1</c> endpoints over what only the engine knows, in both modes (<see cref="RepositoryHistory"/>), behind
/// <see cref="IReadAuthorizer"/>: a repository's versions, the diff between two of its versions, its recent tasks, and one task.
/// Answers hold names, versions, counts, times and sanitised messages; never a secret nor a task's args.
/// </summary>
public static class ReadEndpoints
{
    public static WebApplication MapReadEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        const string repository = "/api/v1/namespaces/{ns}/repositories/{name}";
        app.MapGet(repository + "/versions", (string ns, string name, HttpContext http, RepositoryHistory history, IReadAuthorizer authorizer, CancellationToken cancellationToken) =>
            AnswerAsync(http, authorizer, ns, async () =>
                Results.Json((await history.ListVersionsAsync(ns, name, cancellationToken)).ToList(), VerbsJsonContext.Default.ListVersionInfo), cancellationToken));
        app.MapGet(repository + "/diff", (string ns, string name, string? from, string? to, HttpContext http, RepositoryHistory history, IReadAuthorizer authorizer,
            CancellationToken cancellationToken) => AnswerAsync(http, authorizer, ns, async () =>
            {
                if (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var a) || !long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
                {
                    return Error(StatusCodes.Status400BadRequest, "from and to must be version numbers: ?from=A&to=B");
                }

                return Results.Json(await history.DiffAsync(ns, name, a, b, cancellationToken), VerbsJsonContext.Default.VersionDiff);
            }, cancellationToken));
        app.MapGet(repository + "/tasks", (string ns, string name, int? limit, HttpContext http, RepositoryHistory history, IReadAuthorizer authorizer,
            CancellationToken cancellationToken) => AnswerAsync(http, authorizer, ns, async () =>
                Results.Json((await history.ListTasksAsync($"Repository/{ns}/{name}", Math.Clamp(limit ?? 20, 1, 1000), cancellationToken)).ToList(),
                    VerbsJsonContext.Default.ListTaskRecord), cancellationToken));
        app.MapGet("/api/v1/tasks/{id}", async (string id, HttpContext http, RepositoryHistory history, IReadAuthorizer authorizer, CancellationToken cancellationToken) =>
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return Error(StatusCodes.Status400BadRequest, $"task '{id}': a task is a number (see status.progress.task or the Reconciling message)");
            }

            var task = await history.GetTaskAsync(number, cancellationToken);
            // A task's namespace is that of the resource it worked on; reclaim works on all of them.
            var ns = task?.Resource?.Split('/') is [_, var n, _] ? n : "";
            return await AnswerAsync(http, authorizer, ns, () => Task.FromResult(task is null
                ? Error(StatusCodes.Status404NotFound, string.Create(CultureInfo.InvariantCulture, $"task {number} not found"))
                : Results.Json(task, VerbsJsonContext.Default.TaskRecord)), cancellationToken);
        });
        return app;
    }

    /// <summary>An error answer with a JSON body.</summary>
    public static IResult Error(int status, string message) => Results.Json(new ApiError(message), VerbsJsonContext.Default.ApiError, statusCode: status);

    private static async Task<IResult> AnswerAsync(HttpContext http, IReadAuthorizer authorizer, string ns, Func<Task<IResult>> answer, CancellationToken cancellationToken)
    {
        var decision = await authorizer.AuthorizeAsync(http, ns, cancellationToken);
        if (decision != StatusCodes.Status200OK)
        {
            if (decision == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"packyard\"";
            }

            return Error(decision, decision switch
            {
                StatusCodes.Status401Unauthorized => "a bearer token of a user who may get repositories in this namespace is required",
                StatusCodes.Status403Forbidden => $"not allowed: get repositories.packyard.io in namespace {ns}",
                _ => "the API server could not review the request",
            });
        }

        try
        {
            return await answer();
        }
        catch (UnknownRepositoryException e)
        {
            return Error(StatusCodes.Status404NotFound, $"repository {e.Namespace}/{e.Name} not found{Suggestions.DidYouMean(e.Name, e.Known)}");
        }
        catch (UnknownVersionException e)
        {
            return Error(StatusCodes.Status404NotFound, e.Message);
        }
    }
}
