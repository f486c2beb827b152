using System.CommandLine;

namespace Packyard.Commands;

/// <summary>`packyard validate` (not implemented yet).</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Not implemented yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
