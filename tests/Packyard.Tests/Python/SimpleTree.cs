using System.Net;
using System.Text;

namespace Packyard.Tests.Python;

/// <summary>
/// Builds a PEP 503 tree (and optionally PEP 691 JSON pages) in a folder from distribution files: <c>files/…</c>,
/// <c>simple/index.html</c> and <c>simple/&lt;project&gt;/index.html</c> with <c>#sha256=</c> fragments.
/// </summary>
public sealed class SimpleTree(string root)
{
    private readonly SortedDictionary<string, List<(string FileName, string Sha256, string? RequiresPython, string? Yanked)>> projects = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    public string Packages => Path.Combine(Root, "build");

    /// <summary>Adds a built file to <paramref name="project"/>, copying it under <c>files/</c>.</summary>
    public SimpleTree Add(string project, string path, string? requiresPython = null, string? yanked = null)
    {
        var files = Path.Combine(Root, "files");
        Directory.CreateDirectory(files);
        var fileName = Path.GetFileName(path);
        File.Copy(path, Path.Combine(files, fileName), overwrite: true);
        if (!projects.TryGetValue(project, out var list))
        {
            projects[project] = list = [];
        }

        list.RemoveAll(f => f.FileName == fileName);
        list.Add((fileName, PythonPackage.Sha256(path), requiresPython, yanked));
        return this;
    }

    /// <summary>Writes the HTML pages, and the JSON pages too when <paramref name="json"/>.</summary>
    public void Write(bool json = false)
    {
        var simple = Path.Combine(Root, "simple");
        Directory.CreateDirectory(simple);
        var index = new StringBuilder("<!DOCTYPE html>\n<html><body>\n");
        foreach (var (project, files) in projects)
        {
            index.Append($"<a href=\"{project}/\">{project}</a>\n");
            var page = new StringBuilder($"<!DOCTYPE html>\n<html><head><title>Links for {project}</title></head><body>\n<h1>Links for {project}</h1>\n");
            var document = new StringBuilder($"{{\"meta\":{{\"api-version\":\"1.0\"}},\"name\":\"{project}\",\"files\":[");
            var first = true;
            foreach (var file in files)
            {
                var attributes = (file.RequiresPython is null ? "" : $" data-requires-python=\"{WebUtility.HtmlEncode(file.RequiresPython)}\"")
                    + (file.Yanked is null ? "" : $" data-yanked=\"{WebUtility.HtmlEncode(file.Yanked)}\"");
                page.Append($"<a href=\"../../files/{file.FileName}#sha256={file.Sha256}\"{attributes}>{file.FileName}</a><br/>\n");
                document.Append(first ? "" : ",").Append($"{{\"filename\":\"{file.FileName}\",\"url\":\"../../files/{file.FileName}\",\"hashes\":{{\"sha256\":\"{file.Sha256}\"}}");
                if (file.RequiresPython is not null)
                {
                    document.Append($",\"requires-python\":\"{file.RequiresPython}\"");
                }

                document.Append(file.Yanked is null ? ",\"yanked\":false}" : $",\"yanked\":\"{file.Yanked}\"}}");
                first = false;
            }

            Directory.CreateDirectory(Path.Combine(simple, project));
            File.WriteAllText(Path.Combine(simple, project, "index.html"), page.Append("</body></html>\n").ToString());
            if (json)
            {
                File.WriteAllText(Path.Combine(simple, project, "index.json"), document.Append("]}").ToString());
            }
        }

        File.WriteAllText(Path.Combine(simple, "index.html"), index.Append("</body></html>\n").ToString());
        if (json)
        {
            File.WriteAllText(Path.Combine(simple, "index.json"),
                "{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[" + string.Join(",", projects.Keys.Select(p => $"{{\"name\":\"{p}\"}}")) + "]}");
        }
    }
}
