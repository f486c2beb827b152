using System.CommandLine;

namespace Packyard.Commands;

/// <summary>`packyard crds` (not implemented yet).</summary>
internal static class CrdsCommand
{
    public static Command Create()
    {
        var command = new Command("crds", "Not implemented yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
