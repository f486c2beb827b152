using System.CommandLine;
using Packyard.Commands;

var root = new RootCommand("Packyard: software package repositories the GitOps way.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(OperatorCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(CrdsCommand.Create());
// The same binary is the kubectl plugin (kubectl finds `kubectl-packyard` on PATH; the script beside ./packyard sets
// PACKYARD_KUBECTL_PLUGIN): then the verbs act on the kubeconfig's cluster by default.
var asPlugin = Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0]) == "kubectl-packyard"
    || Environment.GetEnvironmentVariable("PACKYARD_KUBECTL_PLUGIN") == "1";
foreach (var verb in Packyard.Verbs.VerbCommands.Create(clusterByDefault: asPlugin))
{
    root.Subcommands.Add(verb);
}

// On SIGTERM or Ctrl+C the host shuts down gracefully (its own 30 s limit), then the private PostgreSQL stops:
// System.CommandLine's default of 2 s would end the process before either finished.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(45) });
