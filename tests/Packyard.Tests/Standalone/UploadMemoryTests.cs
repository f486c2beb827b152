using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;
using Xunit.Abstractions;

namespace Packyard.Tests.Standalone;

/// <summary>`packyard run` as a process: a hostile upload form does not make it hold the form in memory.</summary>
public sealed class UploadMemoryTests(ITestOutputHelper output)
{
    private const string Token = "memory-token";

    [Fact]
    public async Task A_256_MB_form_field_is_400_and_the_process_memory_does_not_grow_with_it()
    {
        using var workspace = new StandaloneWorkspace();
        workspace.Write("uploads.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: drop, namespace: default}
            spec:
              type: file
              uploads: {enabled: true}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(UploadMemoryTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        await packyard.WaitForAsync("Repository drop is ready", r => r.IsReady("Repository", "drop"));
        // Resets the peak (VmHWM) to the current resident size, so the peak measured below is this upload's.
        await File.WriteAllTextAsync($"/proc/{packyard.ProcessId}/clear_refs", "5");
        var before = Memory(packyard.ProcessId, "VmRSS");
        const long fieldBytes = 256L << 20;

        var (response, sent) = await PostHugeFieldAsync(packyard.Port, UploadRequests.Path("drop"), fieldBytes);

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("larger than 1048576 bytes", response);
        Assert.DoesNotContain("xxxxxxxx", response);
        var peak = Memory(packyard.ProcessId, "VmHWM");
        output.WriteLine($"resident {before >> 20} MB before, peak {peak >> 20} MB after a {fieldBytes >> 20} MB field ({sent >> 20} MB of it sent)");
        Assert.True(peak - before < (64L << 20), $"resident memory went from {before >> 20} MB to a peak of {peak >> 20} MB for a {fieldBytes >> 20} MB field");
        Assert.True(sent < fieldBytes, "the server read the whole field");
    }

    /// <summary>
    /// Posts a form whose relativePath field has <paramref name="fieldBytes"/> bytes over a plain socket, generating
    /// them while sending and reading the answer meanwhile, as a client that listens while it talks (curl) does. Stops
    /// sending when the answer is complete or the server closes. Returns the raw answer and the field bytes sent.
    /// </summary>
    private static async Task<(string Response, long Sent)> PostHugeFieldAsync(int port, string path, long fieldBytes)
    {
        const string boundary = "packyard-memory-test";
        var head = Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\ncontent\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"relativePath\"\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {Token}\r\n" +
            $"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {head.Length + fieldBytes + tail.Length}\r\n\r\n"));
        await stream.WriteAsync(head);
        var answer = new MemoryStream();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            int read;
            try
            {
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    answer.Write(buffer, 0, read);
                    if (Encoding.ASCII.GetString(answer.ToArray()).Contains("\"}", StringComparison.Ordinal))
                    {
                        return;
                    }
                }
            }
            catch (IOException)
            {
                // The server closed the connection: what was read is the answer.
            }
        });
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        long sent = 0;
        try
        {
            while (sent < fieldBytes && !reading.IsCompleted)
            {
                var count = (int)Math.Min(chunk.Length, fieldBytes - sent);
                await stream.WriteAsync(chunk.AsMemory(0, count));
                sent += count;
            }
        }
        catch (IOException)
        {
            // The server stopped reading and closed: expected once it has refused the field.
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        return (Encoding.UTF8.GetString(answer.ToArray()), sent);
    }

    /// <summary>A memory figure of /proc/PID/status in bytes (VmRSS now, VmHWM the peak).</summary>
    private static long Memory(int processId, string key)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
