using System.Diagnostics;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>
/// Finds the real control-plane binaries (kube-apiserver, etcd, kubectl, kube-controller-manager) the way controller-runtime's
/// envtest does: the folder named by <c>KUBEBUILDER_ASSETS</c>; else the xz-compressed copies in <c>../shared/envtest</c>
/// (next to the repository, or /work/shared/envtest) unpacked once into <c>~/.cache/packyard-envtest</c>.
/// </summary>
public static class EnvtestAssets
{
    public const string KubernetesVersion = "v1.36.2";
    private static readonly string[] Binaries = ["kube-apiserver", "etcd", "kubectl", "kube-controller-manager"];
    private static readonly Lazy<string> Folder = new(Locate);

    /// <summary>The folder holding the four binaries; fails the run with instructions when they cannot be found.</summary>
    public static string Path => Folder.Value;

    public static string Binary(string name) => System.IO.Path.Combine(Path, name);

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS") is { Length: > 0 } assets)
        {
            var missing = Binaries.Where(b => !File.Exists(System.IO.Path.Combine(assets, b))).ToList();
            if (missing.Count == 0)
            {
                return assets;
            }

            if (Sources() is null)
            {
                throw new InvalidOperationException($"KUBEBUILDER_ASSETS={assets} lacks {string.Join(", ", missing)}. {HowToGetThem}");
            }

            return Unpack(Sources()!, assets);
        }

        var source = Sources() ?? throw new InvalidOperationException($"No real Kubernetes binaries: KUBEBUILDER_ASSETS is not set and no shared/envtest folder holds them. {HowToGetThem}");
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : System.IO.Path.GetTempPath();
        return Unpack(source, System.IO.Path.Combine(home, ".cache", "packyard-envtest", KubernetesVersion));
    }

    private const string HowToGetThem =
        "Set KUBEBUILDER_ASSETS to a folder with kube-apiserver, etcd, kubectl and kube-controller-manager " + KubernetesVersion +
        " (envtest convention), or keep the xz-compressed copies in ../shared/envtest next to the repository (.ci/run unpacks them).";

    private static string? Sources()
    {
        string[] candidates =
        [
            System.IO.Path.Combine(Infrastructure.RepositoryRoot.Path, "..", "shared", "envtest"),
            "/work/shared/envtest",
        ];
        return candidates.Select(System.IO.Path.GetFullPath).FirstOrDefault(c => Binaries.All(b => File.Exists(System.IO.Path.Combine(c, b + ".xz"))));
    }

    private static string Unpack(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var binary in Binaries)
        {
            var target = System.IO.Path.Combine(destination, binary);
            if (File.Exists(target))
            {
                continue;
            }

            // Unpacked beside the target and renamed into place, so concurrent test runs never see half a binary.
            var temporary = $"{target}.{Environment.ProcessId}.tmp";
            var start = new ProcessStartInfo("bash", ["-c", "xz -dc \"$0\" > \"$1\" && chmod +x \"$1\"", System.IO.Path.Combine(source, binary + ".xz"), temporary])
            {
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"unpacking {binary}.xz from {source} failed: {error}");
            }

            File.Move(temporary, target, overwrite: true);
        }

        return destination;
    }
}
