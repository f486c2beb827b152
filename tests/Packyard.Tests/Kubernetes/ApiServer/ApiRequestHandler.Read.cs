using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Packyard.Tests.Kubernetes.ApiServer;

internal sealed partial class ApiRequestHandler
{
    private async Task WriteListAsync(ServedResource resource, string? @namespace)
    {
        var filter = Selector();
        List<JsonObject> items;
        long revision;
        lock (Store.Gate)
        {
            items = Store.List(resource, @namespace).Where(filter).ToList();
            revision = Store.Revision;
        }

        var query = context.Request.Query;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            // Continue tokens carry the first list's resourceVersion and the last key returned; items come from the
            // current state (an approximation of the real server's consistent snapshot).
            string[] parts;
            try
            {
                parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n', 2);
            }
            catch (FormatException)
            {
                throw ApiError.BadRequest("continue key is not valid: illegal base64 data");
            }

            revision = long.Parse(parts[0], CultureInfo.InvariantCulture);
            if (revision < Store.CompactedThrough)
            {
                throw ApiError.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }

            items = items.Where(i => string.CompareOrdinal(Key(i), parts[1]) > 0).ToList();
        }

        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var limit) && limit > 0 && items.Count > limit)
        {
            var remaining = items.Count - limit;
            items = items.Take(limit).ToList();
            metadata["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{revision}\n{Key(items[^1])}"));
            metadata["remainingItemCount"] = remaining;
        }

        if (WantsTable())
        {
            await WriteAsync(context, 200, TableConverter.Convert(resource, items, metadata, query["includeObject"]));
            return;
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind + "List",
            ["metadata"] = metadata,
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        });
    }

    private async Task WatchAsync(ServedResource resource, string? @namespace)
    {
        var query = context.Request.Query;
        var version = query["resourceVersion"].ToString();
        long? from = version is "" or "0" ? null : long.Parse(version, CultureInfo.InvariantCulture);
        var bookmarks = query["allowWatchBookmarks"].ToString() is "true" or "1";
        var watcher = Store.Subscribe(resource, @namespace, from, Selector());
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        if (watcher is null)
        {
            // Like the watch cache: 200, then one ERROR event with the 410 Status.
            var status = ApiError.Expired($"too old resource version: {version} ({Store.CompactedThrough + 1})").ToStatus();
            await WriteLineAsync(new JsonObject { ["type"] = "ERROR", ["object"] = status }, context.RequestAborted);
            return;
        }

        using var timeout = new CancellationTokenSource();
        if (int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, watcher.Drop.Token, timeout.Token, stopping);
        try
        {
            await context.Response.Body.FlushAsync(linked.Token);
            await foreach (var stored in watcher.Channel.Reader.ReadAllAsync(linked.Token))
            {
                if (stored.Type == "BOOKMARK")
                {
                    if (!bookmarks)
                    {
                        continue;
                    }

                    await WriteLineAsync(new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject
                        {
                            ["kind"] = resource.Kind,
                            ["apiVersion"] = resource.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = stored.Revision.ToString(CultureInfo.InvariantCulture) },
                        },
                    }, linked.Token);
                    continue;
                }

                await WriteLineAsync(new JsonObject { ["type"] = stored.Type, ["object"] = stored.Object.DeepClone() }, linked.Token);
            }
        }
        catch (OperationCanceledException) when (watcher.Drop.IsCancellationRequested)
        {
            // Dropped by the test: end the connection abruptly, as a broken connection would.
            context.Abort();
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone or server stopping: end the stream cleanly.
        }
        finally
        {
            Store.Unsubscribe(watcher);
        }
    }

    private async Task WriteLineAsync(JsonObject line, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>labelSelector (k=v, k==v, k!=v, k, !k) and fieldSelector (metadata.name, metadata.namespace; = and !=).</summary>
    private Func<JsonObject, bool> Selector()
    {
        var checks = new List<Func<JsonObject, bool>>();
        foreach (var term in context.Request.Query["labelSelector"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            checks.Add(Term(term, (item, key) => item["metadata"]?["labels"]?[key]?.GetValue<string>()));
        }

        foreach (var term in context.Request.Query["fieldSelector"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            checks.Add(Term(term, (item, key) => key switch
            {
                "metadata.name" => item["metadata"]?["name"]?.GetValue<string>(),
                "metadata.namespace" => item["metadata"]?["namespace"]?.GetValue<string>(),
                _ => throw ApiError.BadRequest($"field label not supported: {key}"),
            }));
        }

        return item => checks.All(check => check(item));
    }

    private static Func<JsonObject, bool> Term(string term, Func<JsonObject, string, string?> read)
    {
        if (term.Split("!=", 2) is [var notKey, var notValue])
        {
            return item => read(item, notKey.Trim()) != notValue.Trim();
        }

        var equality = term.Contains("==", StringComparison.Ordinal) ? term.Split("==", 2) : term.Split('=', 2);
        if (equality is [var key, var value])
        {
            return item => read(item, key.Trim()) == value.Trim();
        }

        if (term.StartsWith('!'))
        {
            return item => read(item, term[1..]) is null;
        }

        return item => read(item, term) is not null;
    }

    private static string Key(JsonObject item) =>
        $"{item["metadata"]?["namespace"]?.GetValue<string>() ?? ""}/{item["metadata"]?["name"]?.GetValue<string>()}";
}
