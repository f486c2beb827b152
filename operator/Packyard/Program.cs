using System.CommandLine;
using Packyard.Commands;

var root = new RootCommand("Packyard: software package repositories the GitOps way.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(OperatorCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(CrdsCommand.Create());
// On SIGTERM or Ctrl+C the host shuts down gracefully (its own 30 s limit), then the private PostgreSQL stops:
// System.CommandLine's default of 2 s would end the process before either finished.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(45) });
