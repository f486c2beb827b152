using System.CommandLine;
using Packyard.Manifests;

namespace Packyard.Commands;

/// <summary>
/// `packyard validate DIR [--format text|github]`: checks manifests (schema, CEL rules, references, secrets,
/// cron, time zones, base paths) for pull-request status checks. Exit code 0 when valid, 1 on errors, 2 on bad usage.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "Folder (searched recursively) or file of YAML manifests." };
        var format = new Option<string>("--format")
        {
            Description = "text: path:line:column: message; github: GitHub Actions error annotations.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "github");

        var command = new Command("validate", "Check manifests for errors, with file:line locations.");
        command.Arguments.Add(path);
        command.Options.Add(format);
        command.SetAction(parseResult => Run(parseResult.GetValue(path)!, parseResult.GetValue(format) ?? "text"));
        return command;
    }

    private static int Run(string path, string format)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            Console.Error.WriteLine($"packyard validate: {path}: no such file or directory");
            return 2;
        }

        var currentDirectory = Directory.GetCurrentDirectory();
        path = ManifestErrorFormat.DisplayPath(path, currentDirectory);
        var files = ManifestLoader.FindFiles(path);
        var documents = new ManifestLoader().LoadDirectory(path);
        var errors = ManifestValidator.Validate(documents);
        foreach (var error in errors)
        {
            var shown = error with { File = ManifestErrorFormat.DisplayPath(error.File, currentDirectory) };
            Console.WriteLine(format == "github" ? ManifestErrorFormat.GitHub(shown) : ManifestErrorFormat.Text(shown));
        }

        if (errors.Count > 0)
        {
            Console.Error.WriteLine($"{Count(errors.Count, "error")} in {Count(documents.Count, "resource")} in {Count(files.Count, "file")}");
            return 1;
        }

        Console.WriteLine($"validated {Count(documents.Count, "resource")} in {Count(files.Count, "file")}");
        return 0;
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
