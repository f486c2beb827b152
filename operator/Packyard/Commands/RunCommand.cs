using System.CommandLine;

namespace Packyard.Commands;

/// <summary>`packyard run` (not implemented yet).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Not implemented yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
