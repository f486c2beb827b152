using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Packyard.Tests.Infrastructure;

/// <summary>
/// A moto S3 server on a free loopback port (TEST-PEERS.md: the S3 peer available here). Starts in
/// <see cref="InitializeAsync"/>, waits until it answers (at most 30 s), creates <see cref="Bucket"/>, and kills the
/// whole process tree on dispose. moto does not check signatures, so any key pair works.
/// </summary>
public sealed class MotoServer : IAsyncLifetime, IAsyncDisposable
{
    public const string AccessKey = "packyard-test";
    public const string SecretKey = "packyard-test-secret";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly List<string> output = [];
    private Process? process;

    /// <summary>The bucket created at start.</summary>
    public string Bucket { get; } = "packyard-test";

    /// <summary>E.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>Recent server output, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output.TakeLast(40));
            }
        }
    }

    public async Task InitializeAsync()
    {
        Port = FreeLoopbackPort();
        Endpoint = $"http://127.0.0.1:{Port}";
        var start = new ProcessStartInfo("moto_server")
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(Endpoint + "/");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"moto_server did not answer on {Endpoint} within {StartTimeout}:\n{Output}");
            }

            await Task.Delay(100);
        }

        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
    }

    /// <summary>A raw SDK client for assertions (listing keys, multipart uploads).</summary>
    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        UseHttp = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>
    /// Freezes the server with SIGSTOP (its process and children): connections are still accepted by the kernel, but
    /// nothing is answered, as with a hung or black-holed S3. Always <see cref="Resume"/> in a finally.
    /// </summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused server run again (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        var root = process ?? throw new InvalidOperationException("moto_server is not running");
        List<int> ids = [root.Id];
        for (var i = 0; i < ids.Count; i++)
        {
            using var ps = Process.Start(new ProcessStartInfo("ps", $"-o pid= --ppid {ids[i]}") { RedirectStandardOutput = true, UseShellExecute = false })!;
            foreach (var line in ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                ids.Add(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
            }

            ps.WaitForExit();
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {string.Join(' ', ids)}") { UseShellExecute = false })!;
        kill.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        process?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>For a test that starts a server of its own (<c>await using</c>).</summary>
    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    /// <summary>A loopback port nothing listens on at the moment of the call.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
            if (output.Count > 200)
            {
                output.RemoveRange(0, 100);
            }
        }
    }
}
