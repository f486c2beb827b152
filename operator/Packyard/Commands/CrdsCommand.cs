using System.CommandLine;
using Packyard.Manifests.Crds;

namespace Packyard.Commands;

/// <summary>`packyard crds --output DIR`: writes one CustomResourceDefinition YAML file per kind.</summary>
internal static class CrdsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Directory to write the CRD files into (created if missing).",
            DefaultValueFactory = _ => "crds",
        };
        var command = new Command("crds", "Generate the CustomResourceDefinitions of the Packyard kinds.");
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var directory = parseResult.GetValue(output) ?? "crds";
            foreach (var path in CrdGenerator.WriteAll(directory))
            {
                Console.WriteLine($"wrote {path}");
            }

            return 0;
        });
        return command;
    }
}
