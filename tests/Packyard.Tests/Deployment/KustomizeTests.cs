using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Deployment;

/// <summary>
/// What `kubectl apply -k config/default` would install, rendered with `kubectl kustomize` (no API server needed),
/// and the image the Deployments run.
/// </summary>
public sealed class KustomizeTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    private static readonly Lazy<IReadOnlyList<YamlMappingNode>> Rendered = new(() => Render("config/default"));

    /// <summary>(apiGroup, resource, verb) the operator uses, and nothing more; "" is the core group.</summary>
    private static readonly (string Group, string Resource, string Verb)[] RequiredGrants =
    [
        .. Grants("packyard.io", ["remotes", "repositories", "distributions", "promotions"], ["get", "list", "watch", "patch"]),
        .. Grants("packyard.io", ["remotes/status", "repositories/status", "distributions/status", "promotions/status"], ["patch"]),
        .. Grants("", ["secrets"], ["get", "list", "watch"]),
        .. Grants("", ["events"], ["create", "patch"]),
        .. Grants("coordination.k8s.io", ["leases"], ["get", "create", "update"]),
        .. Grants("authentication.k8s.io", ["tokenreviews"], ["create"]),
        .. Grants("authorization.k8s.io", ["subjectaccessreviews"], ["create"]),
        .. Grants("apiextensions.k8s.io", ["customresourcedefinitions"], ["get", "list"]),
    ];

    [Fact]
    public void The_default_kustomization_installs_the_four_crds()
    {
        var crds = Objects("CustomResourceDefinition").Select(Name).Order(StringComparer.Ordinal);

        Assert.Equal(["distributions.packyard.io", "promotions.packyard.io", "remotes.packyard.io", "repositories.packyard.io"], crds);
    }

    [Fact]
    public void Every_deployment_container_runs_as_non_root_on_a_read_only_root_filesystem_without_privilege_escalation()
    {
        var containers = Containers().ToList();

        Assert.NotEmpty(containers);
        Assert.All(containers, item =>
        {
            var (deployment, container) = item;
            var context = Mapping(container, "securityContext");
            Assert.True(context is not null, $"{deployment}: container has no securityContext");
            Assert.True(Scalar(context, "runAsNonRoot") == "true", $"{deployment}: runAsNonRoot is not true");
            Assert.True(Scalar(context, "readOnlyRootFilesystem") == "true", $"{deployment}: readOnlyRootFilesystem is not true");
            Assert.True(Scalar(context, "allowPrivilegeEscalation") == "false", $"{deployment}: allowPrivilegeEscalation is not false");
            Assert.True(Scalars(context, "capabilities", "drop").Contains("ALL"), $"{deployment}: capabilities do not drop ALL");
            Assert.True(Scalar(context, "seccompProfile", "type") == "RuntimeDefault", $"{deployment}: seccompProfile is not RuntimeDefault");
        });
    }

    [Fact]
    public void Every_deployment_container_has_liveness_and_readiness_probes_and_resource_limits()
    {
        Assert.All(Containers(), item =>
        {
            var (deployment, container) = item;
            Assert.True(Scalar(container, "livenessProbe", "httpGet", "path") == "/healthz", $"{deployment}: no liveness probe on /healthz");
            Assert.True(Scalar(container, "readinessProbe", "httpGet", "path") == "/readyz", $"{deployment}: no readiness probe on /readyz");
            Assert.True(Scalar(container, "resources", "limits", "cpu") is not null, $"{deployment}: no cpu limit");
            Assert.True(Scalar(container, "resources", "limits", "memory") is not null, $"{deployment}: no memory limit");
            Assert.True(Scalar(container, "resources", "requests", "memory") is not null, $"{deployment}: no memory request");
        });
    }

    [Fact]
    public void Every_deployment_reads_database_and_storage_from_the_rendered_secrets_and_runs_the_released_image()
    {
        var secrets = Objects("Secret").Select(Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(Containers(), item =>
        {
            var (deployment, container) = item;
            var env = Sequence(container, "env").OfType<YamlMappingNode>().ToDictionary(variable => Scalar(variable, "name")!, StringComparer.Ordinal);
            Assert.Equal("packyard-postgres", Scalar(env["PACKYARD_DATABASE"], "valueFrom", "secretKeyRef", "name"));
            Assert.Equal("connectionString", Scalar(env["PACKYARD_DATABASE"], "valueFrom", "secretKeyRef", "key"));
            Assert.Equal("packyard-storage", Scalar(env["PACKYARD_STORAGE"], "valueFrom", "secretKeyRef", "name"));
            Assert.Equal("url", Scalar(env["PACKYARD_STORAGE"], "valueFrom", "secretKeyRef", "key"));
            Assert.Contains("$(PACKYARD_DATABASE)", Scalars(container, "args"));
            Assert.Contains("$(PACKYARD_STORAGE)", Scalars(container, "args"));
            Assert.True(Scalar(container, "image") == "ghcr.io/packyard/packyard:0.1.0", $"{deployment}: image is {Scalar(container, "image")}");
        });
        Assert.Superset(new HashSet<string>(["packyard-postgres", "packyard-storage", "packyard-secret-key"], StringComparer.Ordinal), secrets);
    }

    [Fact]
    public void Every_deployment_reads_the_key_encrypting_remote_credentials_from_the_rendered_secret()
    {
        Assert.Contains("packyard-secret-key", Objects("Secret").Select(Name));
        var deployments = Objects("Deployment").ToList();
        Assert.NotEmpty(deployments);
        Assert.All(deployments, deployment =>
        {
            var container = Assert.Single(Sequence(deployment, "spec", "template", "spec", "containers").OfType<YamlMappingNode>());
            var args = Scalars(container, "args").ToList();
            var keyFile = args[args.IndexOf("--secret-key-file") + 1];
            var mount = Assert.Single(Sequence(container, "volumeMounts").OfType<YamlMappingNode>(),
                m => keyFile.StartsWith(Scalar(m, "mountPath") + "/", StringComparison.Ordinal));
            Assert.Equal("true", Scalar(mount, "readOnly"));
            var volume = Assert.Single(Sequence(deployment, "spec", "template", "spec", "volumes").OfType<YamlMappingNode>(), v => EntryName(v) == Scalar(mount, "name"));
            Assert.Equal("packyard-secret-key", Scalar(volume, "secret", "secretName"));
        });
    }

    [Fact]
    public void The_cluster_role_grants_no_wildcard_verbs_resources_or_groups()
    {
        var rules = ClusterRoleRules().ToList();

        Assert.NotEmpty(rules);
        Assert.All(rules, rule =>
        {
            Assert.DoesNotContain("*", Scalars(rule, "verbs"));
            Assert.DoesNotContain("*", Scalars(rule, "resources"));
            Assert.DoesNotContain("*", Scalars(rule, "apiGroups"));
            Assert.Empty(Scalars(rule, "nonResourceURLs"));
        });
    }

    [Fact]
    public void The_cluster_role_grants_exactly_the_verbs_the_operator_uses()
    {
        var granted = ClusterRoleRules("packyard")
            .SelectMany(rule => Scalars(rule, "apiGroups").SelectMany(group => Scalars(rule, "resources").SelectMany(resource =>
                Scalars(rule, "verbs").Select(verb => (group, resource, verb)))))
            .ToHashSet();

        var missing = RequiredGrants.Where(grant => !granted.Contains(grant)).Select(grant => $"{grant.Group}/{grant.Resource}:{grant.Verb}").ToList();

        var extra = granted.Where(grant => !RequiredGrants.Contains(grant)).Select(grant => $"{grant.group}/{grant.resource}:{grant.verb}").ToList();

        Assert.True(missing.Count == 0, "The ClusterRole lacks " + string.Join(", ", missing));
        Assert.True(extra.Count == 0, "The ClusterRole grants more than the operator uses: " + string.Join(", ", extra));
    }

    [Fact]
    public void The_uploader_cluster_role_grants_only_uploads_and_is_bound_by_nobody()
    {
        var uploader = Assert.Single(Objects("ClusterRole"), role => Name(role) == "packyard-uploader");
        var rule = Assert.Single(Sequence(uploader, "rules").OfType<YamlMappingNode>());

        Assert.Equal(["packyard.io"], Scalars(rule, "apiGroups"));
        Assert.Equal(["repositories/content"], Scalars(rule, "resources"));
        Assert.Equal(["create"], Scalars(rule, "verbs"));
        Assert.DoesNotContain(Objects("ClusterRoleBinding"), binding => Scalar(binding, "roleRef", "name") == "packyard-uploader");
    }

    [Theory]
    [InlineData("packyard-controller", "controller")]
    [InlineData("packyard-worker", "worker")]
    [InlineData("packyard-content", "content")]
    public void Each_deployment_runs_the_operator_command_with_its_roles_and_a_writable_tmp(string name, string roles)
    {
        var deployment = Assert.Single(Objects("Deployment"), candidate => Name(candidate) == name);
        var container = Assert.Single(Sequence(deployment, "spec", "template", "spec", "containers").OfType<YamlMappingNode>());
        var args = Scalars(container, "args");
        var tmp = Assert.Single(Sequence(container, "volumeMounts").OfType<YamlMappingNode>(), mount => Scalar(mount, "mountPath") == "/tmp");
        var volume = Assert.Single(Sequence(deployment, "spec", "template", "spec", "volumes").OfType<YamlMappingNode>(), v => EntryName(v) == Scalar(tmp, "name"));

        Assert.Equal(["operator", "--role", roles], args.Take(3));
        Assert.Equal("0.0.0.0:8080", args[args.IndexOf("--listen") + 1]);
        Assert.NotNull(Mapping(volume, "emptyDir"));
    }

    [Fact]
    public void The_cluster_role_is_bound_to_the_service_account_the_deployments_use()
    {
        var binding = Assert.Single(Objects("ClusterRoleBinding"));
        var subject = Assert.Single(Sequence(binding, "subjects").OfType<YamlMappingNode>());
        var account = Assert.Single(Objects("ServiceAccount"), candidate => Name(candidate) == "packyard");

        Assert.Equal("packyard", Scalar(binding, "roleRef", "name"));
        Assert.Equal((Name(account), Scalar(account, "metadata", "namespace")), (Scalar(subject, "name"), Scalar(subject, "namespace")));
        Assert.All(Objects("Deployment").Where(d => Name(d) != "packyard-worker"),
            deployment => Assert.Equal(Name(account), Scalar(deployment, "spec", "template", "spec", "serviceAccountName")));
    }

    [Fact]
    public void The_worker_deployment_runs_without_any_Kubernetes_access()
    {
        var worker = Assert.Single(Objects("Deployment"), candidate => Name(candidate) == "packyard-worker");
        var accountName = Scalar(worker, "spec", "template", "spec", "serviceAccountName");
        var account = Assert.Single(Objects("ServiceAccount"), candidate => Name(candidate) == accountName);

        Assert.Equal("packyard-worker", accountName);
        Assert.Equal("false", Scalar(worker, "spec", "template", "spec", "automountServiceAccountToken"));
        Assert.Equal("false", Scalar(account, "automountServiceAccountToken"));
        Assert.DoesNotContain(Objects("ClusterRoleBinding").Concat(Objects("RoleBinding")),
            binding => Sequence(binding, "subjects").OfType<YamlMappingNode>().Any(subject => Scalar(subject, "name") == accountName));
    }

    [Fact]
    public void The_content_service_and_ingress_route_http_to_the_content_deployment()
    {
        var service = Assert.Single(Objects("Service"), candidate => Name(candidate) == "packyard-content");
        var ingress = Assert.Single(Objects("Ingress"), candidate => Name(candidate) == "packyard");
        var content = Assert.Single(Objects("Deployment"), candidate => Name(candidate) == "packyard-content");
        var port = Assert.Single(Sequence(service, "spec", "ports").OfType<YamlMappingNode>());
        var path = Assert.Single(Sequence(Assert.Single(Sequence(ingress, "spec", "rules").OfType<YamlMappingNode>()), "http", "paths").OfType<YamlMappingNode>());

        Assert.Equal("80", Scalar(port, "port"));
        Assert.Contains(Scalar(port, "targetPort"), new[] { "8080", "http" });
        Assert.Equal(Scalar(content, "spec", "template", "metadata", "labels", "app.kubernetes.io/component"), Scalar(service, "spec", "selector", "app.kubernetes.io/component"));
        Assert.Equal("nginx", Scalar(ingress, "spec", "ingressClassName"));
        Assert.Equal("0", Scalar(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size"));
        Assert.Equal(("/", "Prefix", "packyard-content"), (Scalar(path, "path"), Scalar(path, "pathType"), Scalar(path, "backend", "service", "name")));
    }

    [Fact]
    public void The_dockerfile_final_stage_runs_as_a_numeric_non_root_user()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot, "Dockerfile"));
        var finalStage = lines.Skip(Array.FindLastIndex(lines, line => line.TrimStart().StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)));
        var user = finalStage.Select(line => line.Trim()).LastOrDefault(line => line.StartsWith("USER ", StringComparison.OrdinalIgnoreCase));

        Assert.True(user is not null, "The Dockerfile's final stage sets no USER.");
        var match = Regex.Match(user, @"^USER\s+(\d+)(:\d+)?$", RegexOptions.IgnoreCase);
        Assert.True(match.Success, $"'{user}' is not a numeric USER (Kubernetes can only verify runAsNonRoot for a numeric user).");
        Assert.NotEqual(0, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_argo_cd_patch_has_the_same_health_check_for_each_of_the_four_kinds()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot, "config", "argocd", "argocd-cm-patch.yaml"))));
        var data = Mapping((YamlMappingNode)stream.Documents.Single().RootNode, "data")!;

        var checks = data.Children.ToDictionary(entry => ((YamlScalarNode)entry.Key).Value!, entry => ((YamlScalarNode)entry.Value).Value!, StringComparer.Ordinal);

        Assert.Equal(
            ["resource.customizations.health.packyard.io_Distribution", "resource.customizations.health.packyard.io_Promotion",
             "resource.customizations.health.packyard.io_Remote", "resource.customizations.health.packyard.io_Repository"],
            checks.Keys.Order(StringComparer.Ordinal));
        Assert.Single(checks.Values.Distinct(StringComparer.Ordinal));
        Assert.All(new[] { "Reconciling", "Stalled", "Ready", "observedGeneration", "Progressing", "Degraded", "Healthy" }, word => Assert.Contains(word, checks.Values.First(), StringComparison.Ordinal));
    }

    private static IEnumerable<(string Group, string Resource, string Verb)> Grants(string group, string[] resources, string[] verbs) =>
        resources.SelectMany(resource => verbs.Select(verb => (group, resource, verb)));

    private static IEnumerable<YamlMappingNode> Objects(string kind) => Rendered.Value.Where(node => Scalar(node, "kind") == kind);

    private static string Name(YamlMappingNode node) => Scalar(node, "metadata", "name") ?? "";

    private static string? EntryName(YamlMappingNode node) => Scalar(node, "name");

    private static IEnumerable<(string Deployment, YamlMappingNode Container)> Containers() =>
        Objects("Deployment").SelectMany(deployment => Sequence(deployment, "spec", "template", "spec", "containers")
            .OfType<YamlMappingNode>()
            .Select(container => ($"Deployment {Name(deployment)} container {Scalar(container, "name")}", container)));

    private static IEnumerable<YamlMappingNode> ClusterRoleRules(string? name = null) =>
        Objects("ClusterRole").Where(role => name is null || Name(role) == name).SelectMany(role => Sequence(role, "rules").OfType<YamlMappingNode>());

    private static YamlNode? Node(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    private static YamlMappingNode? Mapping(YamlNode? node, params string[] path) => Node(node, path) as YamlMappingNode;

    private static string? Scalar(YamlNode? node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Sequence(YamlNode? node, params string[] path) =>
        Node(node, path) is YamlSequenceNode sequence ? sequence.Children : [];

    private static List<string> Scalars(YamlNode? node, params string[] path) =>
        Sequence(node, path).OfType<YamlScalarNode>().Select(scalar => scalar.Value ?? "").ToList();

    /// <summary>The checkout: the folder holding Operator.sln above the test binaries.</summary>
    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Operator.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>`kubectl kustomize FOLDER` from the repository root, parsed into one mapping per document.</summary>
    private static List<YamlMappingNode> Render(string folder)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(folder);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {folder} did not finish within a minute.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {folder} exited with {process.ExitCode}: {error.Result}");
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return stream.Documents.Select(document => document.RootNode).OfType<YamlMappingNode>().ToList();
    }
}
