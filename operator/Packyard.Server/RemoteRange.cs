using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// A single byte range from a store without local files (S3): the object is opened at the range's start, so a
/// resumed download of a large artifact does not read what the client already has. Multi-range requests and
/// <c>If-Range</c> fall back to the whole object, which RFC 9110 allows.
/// </summary>
internal static class RemoteRange
{
    /// <summary>What <see cref="TryServeAsync"/> did.</summary>
    public enum Outcome
    {
        /// <summary>Not a single-range request: nothing written, serve the whole object.</summary>
        NotApplicable,

        /// <summary>Answered (206 or 416).</summary>
        Served,

        /// <summary>The store does not have the object: nothing written.</summary>
        Missing,
    }

    public static async Task<Outcome> TryServeAsync(HttpContext http, IArtifactStore store, ServedFile file, string mediaType, EntityTagHeaderValue etag,
        CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Range;
        if (header.Count != 1 || http.Request.Headers.ContainsKey(HeaderNames.IfRange) || file.Size is not { } size
            || !RangeHeaderValue.TryParse(header[0], out var range) || range.Unit != "bytes" || range.Ranges.Count != 1)
        {
            return Outcome.NotApplicable;
        }

        var item = range.Ranges.First();
        long from, to;
        if (item.From is { } start)
        {
            from = start;
            to = Math.Min(item.To ?? size - 1, size - 1);
        }
        else
        {
            from = Math.Max(0, size - (item.To ?? 0));
            to = size - 1;
        }

        var satisfiable = from < size && from <= to;
        // Opened before any header is set, so a missing object can still be answered as such (503, or fetched again).
        await using var stream = satisfiable && !HttpMethods.IsHead(http.Request.Method)
            ? await store.OpenReadAsync(file.Sha256, from, cancellationToken)
            : null;
        if (satisfiable && stream is null && !HttpMethods.IsHead(http.Request.Method))
        {
            return Outcome.Missing;
        }

        http.Response.Headers.AcceptRanges = "bytes";
        http.Response.Headers.ETag = etag.ToString();
        http.Response.Headers.LastModified = file.LastModified.ToString("R", CultureInfo.InvariantCulture);
        if (!satisfiable)
        {
            http.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            http.Response.Headers.ContentRange = $"bytes */{size}";
            return Outcome.Served;
        }

        var length = to - from + 1;
        http.Response.StatusCode = StatusCodes.Status206PartialContent;
        http.Response.ContentType = mediaType;
        http.Response.ContentLength = length;
        http.Response.Headers.ContentRange = $"bytes {from}-{to}/{size}";
        if (stream is null)
        {
            return Outcome.Served; // HEAD
        }

        var buffer = new byte[81920];
        while (length > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            length -= read;
        }

        return Outcome.Served;
    }
}
