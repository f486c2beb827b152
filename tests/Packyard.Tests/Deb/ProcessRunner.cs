using System.Diagnostics;

namespace Packyard.Tests.Deb;

/// <summary>Runs a real tool (dpkg-deb, apt-ftparchive, gpg, apt-get) and fails the test with its output when it fails.</summary>
internal static class ProcessRunner
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, bool check = true, string? standardOutputFile = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var errorTask = process.StandardError.ReadToEndAsync();
        string output;
        if (standardOutputFile is not null)
        {
            await using var file2 = File.Create(standardOutputFile);
            await process.StandardOutput.BaseStream.CopyToAsync(file2);
            output = "";
        }
        else
        {
            output = await process.StandardOutput.ReadToEndAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var error = await errorTask;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}:\n{output}\n{error}");
        }

        return output + error;
    }
}
