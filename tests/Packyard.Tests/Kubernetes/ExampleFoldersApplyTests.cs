using System.Text.RegularExpressions;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// <c>crds/</c> and every example folder apply to a real cluster both ways a user tries: <c>kubectl apply -f DIR</c> (which
/// reads every *.yaml, *.yml and *.json) and, where a Kustomization exists, <c>kubectl apply -k DIR</c>; and a server-side dry
/// run of each creates nothing. On an API server of this test's own: the reference example has a fixed namespace, and the
/// test deletes and re-creates the CRDs.
/// </summary>
public sealed partial class ExampleFoldersApplyTests
{
    /// <summary>Folders with Packyard objects, the namespace they go to, and whether the folder creates it itself.</summary>
    private static readonly (string Folder, string Namespace, bool OwnNamespace)[] Examples =
    [
        ("examples/files-quickstart", "quickstart-example", false),
        ("examples/reference", "packyard-reference", true),
        ("examples/flux/packages", "packages", true),
    ];

    [Fact]
    public async Task Crds_and_every_example_folder_apply_with_f_and_with_k_and_a_server_dry_run_creates_nothing()
    {
        // Every folder of examples/ with manifests is covered, except examples/flux itself: its objects are Flux's own kinds.
        var folders = Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "examples"), "*", SearchOption.AllDirectories)
            .Where(d => Directory.GetFiles(d, "*.yaml").Length > 0)
            .Select(d => Path.GetRelativePath(RepositoryRoot.Path, d).Replace('\\', '/'))
            .Where(d => d != "examples/flux").Order(StringComparer.Ordinal);
        Assert.Equal(Examples.Select(e => e.Folder).Order(StringComparer.Ordinal), folders);

        await using var environment = await KubernetesEnvironment.StartAsync();
        using var directory = new TemporaryDirectory();
        using var kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig")));

        // A cluster without the CRDs (the fixture installed them: delete them first), then -f, then -k of crds/ and of config/crd.
        await kubectl.SucceedAsync("delete", "-f", "crds/", "--timeout=60s");
        var crds = await kubectl.SucceedAsync("apply", "-f", "crds/");
        Assert.Equal(
            ["distributions", "promotions", "remotes", "repositories"],
            Lines(crds).Select(l => CreatedCrd().Match(l)).Select(m => m.Success ? m.Groups[1].Value : m.Value));
        await kubectl.SucceedAsync("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
        foreach (var kustomization in new[] { "crds/", "config/crd" })
        {
            var output = await kubectl.SucceedAsync("apply", "-k", kustomization);
            Assert.Equal(4, Lines(output).Count(l => l.StartsWith("customresourcedefinition.apiextensions.k8s.io/", StringComparison.Ordinal) && l.EndsWith(" unchanged", StringComparison.Ordinal)));
        }

        foreach (var (folder, ns, ownNamespace) in Examples)
        {
            var documents = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, folder), "*.yaml").Sum(f => File.ReadAllLines(f).Count(l => l.StartsWith("kind: ", StringComparison.Ordinal)));
            var hasKustomization = File.Exists(Path.Combine(RepositoryRoot.Path, folder, "Kustomization"));
            string[] target = ownNamespace ? [] : ["-n", ns];
            if (!ownNamespace)
            {
                await kubectl.SucceedAsync("create", "namespace", ns);
            }

            // On a cluster that has none of it: -f creates every object (a Namespace first, so the objects in it can follow).
            var created = Lines(await kubectl.SucceedAsync(["apply", "-f", $"{folder}/", .. target]));
            Assert.True(created.Count == documents && created.All(l => l.EndsWith(" created", StringComparison.Ordinal)), $"{folder}: {string.Join('\n', created)}");
            if (hasKustomization)
            {
                var again = Lines(await kubectl.SucceedAsync("apply", "-k", folder));
                Assert.True(again.Count == documents && !again.Any(l => l.EndsWith(" created", StringComparison.Ordinal)), $"{folder} -k: {string.Join('\n', again)}");
            }

            // Without the objects (their namespace stays: a dry run cannot create one to put objects in), a dry run says what it would create and creates nothing.
            await kubectl.SucceedAsync("delete", "-n", ns, "remotes,repositories,distributions,promotions,secrets", "--all");
            string[][] dryRuns = hasKustomization ? [["-f", $"{folder}/", .. target], ["-k", folder]] : [["-f", $"{folder}/", .. target]];
            foreach (var arguments in dryRuns)
            {
                var dryRun = Lines(await kubectl.SucceedAsync(["apply", "--dry-run=server", .. arguments]));
                Assert.True(dryRun.Count == documents && dryRun.All(l => l.EndsWith(" (server dry run)", StringComparison.Ordinal)), $"{string.Join(' ', arguments)}: {string.Join('\n', dryRun)}");
                Assert.Contains(dryRun, l => l.EndsWith(" created (server dry run)", StringComparison.Ordinal));
            }

            Assert.Equal("", await kubectl.SucceedAsync("get", "-n", ns, "remotes,repositories,distributions,promotions,secrets", "-o", "name"));
        }
    }

    private static List<string> Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    [GeneratedRegex(@"^customresourcedefinition\.apiextensions\.k8s\.io/(\w+)\.packyard\.io created$")]
    private static partial Regex CreatedCrd();
}
