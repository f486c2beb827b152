using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Packyard.Engine.Database;

namespace Packyard.Server;

/// <summary>A plain HTML listing of a directory of a publication (published files and pass-through artifacts).</summary>
public sealed class DirectoryListing(NpgsqlDataSource dataSource)
{
    /// <summary>Most entries shown in one listing; a longer listing says it was cut.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>Writes the listing of <paramref name="directory"/> ("" or ending in '/'); false when it has no entries.</summary>
    public async Task<bool> WriteAsync(HttpContext http, ServedPublication publication, string basePath, string directory, bool immutable,
        CancellationToken cancellationToken)
    {
        var entries = await EntriesAsync(publication, directory, MaxEntries + 1, cancellationToken);
        if (entries.Count == 0 && directory.Length > 0)
        {
            return false;
        }

        var title = WebUtility.HtmlEncode($"/{basePath}/{directory}");
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ").Append(title).Append("</title></head>\n<body>\n<h1>Index of ")
            .Append(title).Append("</h1>\n<ul>\n");
        if (directory.Length > 0)
        {
            html.Append("<li><a href=\"../\">../</a></li>\n");
        }

        foreach (var (name, isDirectory) in entries.Take(MaxEntries))
        {
            var display = isDirectory ? name + "/" : name;
            html.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(Uri.EscapeDataString(name) + (isDirectory ? "/" : ""))).Append("\">")
                .Append(WebUtility.HtmlEncode(display)).Append("</a></li>\n");
        }

        if (entries.Count > MaxEntries)
        {
            html.Append("<li>… listing cut at ").Append(MaxEntries).Append(" entries</li>\n");
        }

        html.Append("</ul>\n</body></html>\n");
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "public, max-age=60";
        var bytes = Encoding.UTF8.GetBytes(html.ToString());
        http.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(bytes, cancellationToken);
        }

        return true;
    }

    /// <summary>True when the publication has anything under <paramref name="directory"/> (ending in '/').</summary>
    public async Task<bool> ExistsAsync(ServedPublication publication, string directory, CancellationToken cancellationToken) =>
        (await EntriesAsync(publication, directory, 1, cancellationToken)).Count > 0;

    private async Task<List<(string Name, bool IsDirectory)>> EntriesAsync(ServedPublication publication, string directory, int limit,
        CancellationToken cancellationToken)
    {
        var entries = new List<(string Name, bool IsDirectory)>();
        await using (var command = dataSource.CreateCommand("""
            with paths as (
                select relative_path from published_files where publication_id = $1 and starts_with(relative_path, $4)
                union
                select ca.relative_path from content_artifacts ca join repository_content rc on rc.content_id = ca.content_id
                where $5 and rc.repository_id = $2 and rc.version_added <= $3 and (rc.version_removed is null or rc.version_removed > $3)
                  and starts_with(ca.relative_path, $4)),
            children as (
                select split_part(substr(relative_path, length($4) + 1), '/', 1) as name,
                       strpos(substr(relative_path, length($4) + 1), '/') > 0 as is_dir
                from paths)
            select distinct name, is_dir from children order by name limit $6
            """))
        {
            command.AddParameters(publication.Id, publication.RepositoryId, publication.Version, directory, publication.PassThrough, limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add((reader.GetString(0), reader.GetBoolean(1)));
            }
        }

        return entries;
    }
}
