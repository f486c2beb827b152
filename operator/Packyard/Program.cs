using System.CommandLine;
using Packyard.Commands;

var root = new RootCommand("Packyard: software package repositories the GitOps way.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(OperatorCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(CrdsCommand.Create());
return await root.Parse(args).InvokeAsync();
