using System.Text.Json.Nodes;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// The real <c>podman</c> with a private image store for one test: <c>--root</c>/<c>--runroot</c>/<c>--tmpdir</c> in a temporary
/// directory, the <c>vfs</c> storage driver (no overlay or fuse needed as root in a container), no events log. Pull, push and
/// inspect work this way; <c>podman run</c> does not (no cgroups/namespaces here) and is not offered. Deleted on dispose.
/// </summary>
public sealed class PodmanStore : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public string Root => Path.Combine(directory.Path, "root");

    /// <summary><c>podman [store options] ARGS</c>; throws with the output on failure.</summary>
    public Task<string> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        OciTool.RunAsync("podman", [.. GlobalArguments(), .. arguments], timeout, cancellationToken);

    /// <summary>Like <see cref="RunAsync"/> but returns the exit code and outputs, for tests that expect a failure.</summary>
    public Task<(int Code, string Output, string Error)> TryRunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        OciTool.TryRunAsync("podman", [.. GlobalArguments(), .. arguments], timeout, cancellationToken);

    /// <summary><c>podman pull --tls-verify=false REFERENCE</c> (plain HTTP on 127.0.0.1), with credentials when given; returns the image id.</summary>
    public async Task<string> PullAsync(string reference, (string User, string Password)? credentials = null, CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["pull", "--quiet", "--tls-verify=false"];
        if (credentials is { } c)
        {
            arguments.AddRange(["--creds", $"{c.User}:{c.Password}"]);
        }

        arguments.Add(reference);
        return (await RunAsync(arguments, cancellationToken: cancellationToken)).Trim();
    }

    /// <summary><c>podman image inspect REFERENCE</c>, parsed: <c>Digest</c>, <c>RepoDigests</c>, <c>Architecture</c>, <c>Os</c>…</summary>
    public async Task<JsonObject> InspectAsync(string reference, CancellationToken cancellationToken = default)
    {
        var output = await RunAsync(["image", "inspect", reference], cancellationToken: cancellationToken);
        return JsonNode.Parse(output)!.AsArray().Single()!.AsObject();
    }

    public void Dispose()
    {
        // vfs leaves read-only directories behind rarely; podman's own removal first, then the folder.
        try
        {
            using var reset = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            OciTool.TryRunAsync("podman", [.. GlobalArguments(), "rmi", "--all", "--force"], TimeSpan.FromSeconds(30), reset.Token)
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // The directory is removed below anyway.
        }

        directory.Dispose();
    }

    private string[] GlobalArguments() =>
    [
        "--root", Root,
        "--runroot", Path.Combine(directory.Path, "run"),
        "--tmpdir", Path.Combine(directory.Path, "tmp"),
        "--storage-driver", "vfs",
        "--events-backend", "none",
        "--cgroup-manager", "cgroupfs",
    ];
}
