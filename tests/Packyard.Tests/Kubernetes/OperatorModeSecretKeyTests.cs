using System.Security.Cryptography;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.Kubernetes;

/// <summary>Remote credentials in operator mode: sealed with the replicas' shared key; a replica with another key fails clearly.</summary>
public sealed class OperatorModeSecretKeyTests
{
    private const string Password = "worker-cannot-read-3c8e";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_worker_with_another_secret_key_fails_the_sync_with_a_message_naming_the_key_and_keeps_running()
    {
        await using var cluster = await OperatorCluster.StartAsync("secretkey");
        using var folder = new TemporaryDirectory();
        var otherKey = Path.Combine(folder.Path, "other-key");
        await File.WriteAllTextAsync(otherKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        var manifests = Path.Combine(folder.Path, "manifests");
        Directory.CreateDirectory(manifests);
        var quickstart = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart", "quickstart.yaml"));
        await File.WriteAllTextAsync(Path.Combine(manifests, "quickstart.yaml"),
            quickstart.Replace("  url: file:upstream/\n", "  url: file:upstream/\n  authSecretRef:\n    name: upstream-creds\n", StringComparison.Ordinal)
            + $"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: upstream-creds\nstringData:\n  username: reader\n  password: {Password}\n");

        var controller = cluster.StartOperator("controller-a", "10s", "--role", "controller,content");
        var worker = cluster.StartWorker("worker-a", "--secret-key-file", otherKey);
        await cluster.Kubectl.SucceedAsync("apply", "-f", manifests);

        var lastSync = "";
        await controller.WaitUntilAsync("the sync fails naming the secret key", async () =>
        {
            lastSync = await cluster.Kubectl.SucceedAsync("get", "repository", "quickstart", "-o", "jsonpath={.status.lastSync.result}|{.status.lastSync.message}");
            return lastSync.StartsWith("Failed|", StringComparison.Ordinal);
        }, Timeout);

        Assert.Contains("cannot be decrypted with this secret key", lastSync, StringComparison.Ordinal);
        Assert.Contains("--secret-key-file", lastSync, StringComparison.Ordinal);
        Assert.Equal("ok\n", await worker.Http.GetStringAsync("readyz"));
        Assert.DoesNotContain(Password, worker.Output + controller.Output, StringComparison.Ordinal);
    }
}
