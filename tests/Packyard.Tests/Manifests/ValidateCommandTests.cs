using System.Diagnostics;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

/// <summary>`packyard validate` run as a process, as a CI job runs it.</summary>
public sealed class ValidateCommandTests
{
    private const string Invalid = """
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: r}
        spec:
          type: deb
          remoteRef: {name: nowhere}
        """;

    [Fact]
    public async Task Invalid_manifests_exit_with_1_and_print_file_line_errors()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("repo.yaml", Invalid);

        var (exitCode, output) = await RunAsync(directory.Path, "validate", "manifests-under-test");

        Assert.Equal(1, exitCode);
        Assert.Equal("manifests-under-test/repo.yaml:6:15: spec.remoteRef: no Remote named \"nowhere\" in namespace default", output.Trim());
    }

    [Fact]
    public async Task Github_format_prints_error_annotations()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("repo.yaml", Invalid);

        var (exitCode, output) = await RunAsync(directory.Path, "validate", "manifests-under-test", "--format", "github");

        Assert.Equal(1, exitCode);
        Assert.Equal("::error file=manifests-under-test/repo.yaml,line=6,col=15::spec.remoteRef: no Remote named \"nowhere\" in namespace default", output.Trim());
    }

    [Fact]
    public async Task Deb_publish_options_out_of_range_or_not_durations_are_errors_at_their_line()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("repo.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: deb
              publish:
                deb:
                  origin: Example
                  validFor: soon
                  byHashRetention: 1h30
                  xzPreset: 12
            """);

        var (exitCode, output) = await RunAsync(directory.Path, "validate", "manifests-under-test");

        Assert.Equal(1, exitCode);
        Assert.Equal(
            [
                "manifests-under-test/repo.yaml:9:17: spec.publish.deb.validFor: \"soon\" is not a duration of one to four numbers with unit s, m, h or d, e.g. 7d, 36h or 1d12h",
                "manifests-under-test/repo.yaml:10:24: spec.publish.deb.byHashRetention: \"1h30\" is not a duration of one to four numbers with unit s, m, h or d, e.g. 7d, 36h or 1d12h",
                "manifests-under-test/repo.yaml:11:17: spec.publish.deb.xzPreset: must be at most 9, got 12",
            ],
            output.Trim().Split('\n'));
    }

    [Fact]
    public async Task Valid_manifests_exit_with_0_and_a_summary()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("repo.yaml", "apiVersion: packyard.io/v1alpha1\nkind: Repository\nmetadata: {name: r}\nspec: {type: deb}\n");

        var (exitCode, output) = await RunAsync(directory.Path, "validate", "manifests-under-test");

        Assert.Equal(0, exitCode);
        Assert.Equal("validated 1 resource in 1 file", output.Trim());
    }

    /// <summary>Runs packyard.dll in the parent of <paramref name="manifests"/>, which is linked as ./manifests-under-test.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string manifests, params string[] arguments)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("packyard-cwd-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(workingDirectory, "manifests-under-test"), manifests);
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "packyard.dll"));
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode is 0 or 1, await error);
            return (process.ExitCode, await output);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }
}
