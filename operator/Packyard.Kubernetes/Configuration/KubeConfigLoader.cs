using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Packyard.Kubernetes.Configuration;

/// <summary>
/// Reads a kubeconfig file: the current (or named) context, its cluster (server, CA data or file,
/// insecure-skip-tls-verify) and its user (token or tokenFile, client certificate and key as data or files, exec plugin).
/// Relative file paths are resolved against the kubeconfig's folder, as kubectl does. Only one file is read
/// (no merging of several $KUBECONFIG entries).
/// </summary>
internal static class KubeConfigLoader
{
    public static KubernetesClientConfiguration Load(string path, string? contextName)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The kubeconfig {path} does not exist.", path);
        }

        var yaml = new YamlStream();
        using (var reader = new StreamReader(path, Encoding.UTF8))
        {
            yaml.Load(reader);
        }

        var root = yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null)
        {
            throw new InvalidOperationException($"The kubeconfig {path} is empty.");
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        contextName ??= Scalar(root, "current-context")
            ?? throw new InvalidOperationException($"The kubeconfig {path} has no current-context; name a context.");
        var context = Named(root, "contexts", contextName, "context", path);
        var clusterName = Scalar(context, "cluster") ?? throw new InvalidOperationException($"Context {contextName} names no cluster.");
        var cluster = Named(root, "clusters", clusterName, "cluster", path);
        var userName = Scalar(context, "user");
        var user = userName is null ? new YamlMappingNode() : Named(root, "users", userName, "user", path);

        var server = Scalar(cluster, "server") ?? throw new InvalidOperationException($"Cluster {clusterName} has no server.");
        return new KubernetesClientConfiguration
        {
            Host = new Uri(server),
            Namespace = Scalar(context, "namespace") ?? "default",
            SkipTlsVerify = string.Equals(Scalar(cluster, "insecure-skip-tls-verify"), "true", StringComparison.OrdinalIgnoreCase),
            CaCertificates = ReadPem(cluster, "certificate-authority-data", "certificate-authority", baseDirectory) is { } ca
                ? KubernetesClientConfiguration.LoadPemCollection(ca)
                : null,
            AccessToken = Scalar(user, "token"),
            TokenFile = Scalar(user, "tokenFile") is { } tokenFile ? Resolve(tokenFile, baseDirectory) : null,
            ClientCertificate = ReadClientCertificate(user, baseDirectory),
            Exec = ReadExec(user, baseDirectory),
        };
    }

    private static X509Certificate2? ReadClientCertificate(YamlMappingNode user, string baseDirectory)
    {
        var certificate = ReadPem(user, "client-certificate-data", "client-certificate", baseDirectory);
        var key = ReadPem(user, "client-key-data", "client-key", baseDirectory);
        if (certificate is null && key is null)
        {
            return null;
        }

        if (certificate is null || key is null)
        {
            throw new InvalidOperationException("The kubeconfig user has a client certificate without a key, or a key without a certificate.");
        }

        return X509Certificate2.CreateFromPem(certificate, key);
    }

    private static ExecConfig? ReadExec(YamlMappingNode user, string baseDirectory)
    {
        if (Child(user, "exec") is not YamlMappingNode exec)
        {
            return null;
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(exec, "env") is YamlSequenceNode variables)
        {
            foreach (var variable in variables.OfType<YamlMappingNode>())
            {
                if (Scalar(variable, "name") is { } name)
                {
                    env[name] = Scalar(variable, "value") ?? "";
                }
            }
        }

        return new ExecConfig
        {
            Command = Scalar(exec, "command") ?? throw new InvalidOperationException("The kubeconfig exec plugin has no command."),
            Args = Child(exec, "args") is YamlSequenceNode args ? args.OfType<YamlScalarNode>().Select(a => a.Value ?? "").ToList() : [],
            Env = env,
            ApiVersion = Scalar(exec, "apiVersion") ?? "client.authentication.k8s.io/v1",
            BaseDirectory = baseDirectory,
        };
    }

    private static string? ReadPem(YamlMappingNode node, string dataKey, string fileKey, string baseDirectory)
    {
        if (Scalar(node, dataKey) is { } data)
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }

        return Scalar(node, fileKey) is { } file ? File.ReadAllText(Resolve(file, baseDirectory)) : null;
    }

    private static string Resolve(string path, string baseDirectory) =>
        Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path);

    private static YamlMappingNode Named(YamlMappingNode root, string listKey, string name, string itemKey, string path)
    {
        if (Child(root, listKey) is YamlSequenceNode items)
        {
            foreach (var item in items.OfType<YamlMappingNode>())
            {
                if (Scalar(item, "name") == name)
                {
                    return Child(item, itemKey) as YamlMappingNode ?? new YamlMappingNode();
                }
            }
        }

        throw new InvalidOperationException($"The kubeconfig {path} has no {itemKey} named '{name}'.");
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) =>
        Child(node, key) is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
}
