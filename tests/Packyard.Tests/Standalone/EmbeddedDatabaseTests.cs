using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Packyard.Tests.Standalone;

/// <summary>
/// The private PostgreSQL of `packyard run` (the embedded default): durable, stopped with Packyard unless
/// --keep-database, and an acknowledged upload survives kill -9 of both processes.
/// </summary>
public sealed class EmbeddedDatabaseTests
{
    private const string Token = "embedded-database-tests-token";

    private const string UploadRepository = """
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: uploads, namespace: default}
        spec:
          type: file
          uploads: {enabled: true}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: uploads, namespace: default}
        spec:
          basePath: files/uploads
          repositoryRef: {name: uploads}
        """;

    [Fact]
    public async Task The_embedded_database_runs_durable_and_stops_when_packyard_gets_SIGTERM()
    {
        using var workspace = new StandaloneWorkspace();
        var postgres = new EmbeddedPostgresProcesses(workspace.Data);
        try
        {
            await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database: null);
            await packyard.WaitForAsync("packyard serves", _ => true);

            Assert.Equal(("on", "on", "on"),
                (await postgres.ShowAsync("fsync"), await postgres.ShowAsync("full_page_writes"), await postgres.ShowAsync("synchronous_commit")));
            var postmaster = postgres.PostmasterId!.Value;

            EmbeddedPostgresProcesses.Signal(packyard.ProcessId, "TERM");

            Assert.True(await EmbeddedPostgresProcesses.WaitGoneAsync(packyard.ProcessId, TimeSpan.FromSeconds(40)), $"packyard did not exit:\n{packyard.Output}");
            Assert.True(await EmbeddedPostgresProcesses.WaitGoneAsync(postmaster, TimeSpan.FromSeconds(10)), $"the postmaster ({postmaster}) still runs:\n{packyard.Output}");
            Assert.Null(postgres.PostmasterId);
        }
        finally
        {
            await postgres.StopAsync();
        }
    }

    [Fact]
    public async Task With_keep_database_the_embedded_database_outlives_packyard_and_unsafe_no_fsync_turns_durability_off()
    {
        using var workspace = new StandaloneWorkspace();
        var postgres = new EmbeddedPostgresProcesses(workspace.Data);
        try
        {
            await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database: null, "--keep-database", "--unsafe-no-fsync");
            await packyard.WaitForAsync("packyard serves", _ => true);
            Assert.Equal(("off", "off", "off"),
                (await postgres.ShowAsync("fsync"), await postgres.ShowAsync("full_page_writes"), await postgres.ShowAsync("synchronous_commit")));
            var postmaster = postgres.PostmasterId!.Value;

            EmbeddedPostgresProcesses.Signal(packyard.ProcessId, "TERM");

            Assert.True(await EmbeddedPostgresProcesses.WaitGoneAsync(packyard.ProcessId, TimeSpan.FromSeconds(40)), $"packyard did not exit:\n{packyard.Output}");
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.True(EmbeddedPostgresProcesses.IsAlive(postmaster), $"the postmaster stopped despite --keep-database:\n{packyard.Output}");
            Assert.Equal("off", await postgres.ShowAsync("fsync"));
        }
        finally
        {
            await postgres.StopAsync();
        }
    }

    [Fact]
    public async Task An_upload_answered_201_survives_kill_9_of_packyard_and_postgres_right_after_the_answer()
    {
        using var workspace = new StandaloneWorkspace();
        workspace.Write("uploads.yaml", UploadRepository);
        var postgres = new EmbeddedPostgresProcesses(workspace.Data);
        var uploaded = new Dictionary<string, byte[]>();
        try
        {
            await using (var first = PackyardProcess.Start(workspace.Manifests, workspace.Data, database: null, "--upload-token", Token))
            {
                await first.WaitForAsync("Distribution uploads is Ready", r => r.IsReady("Distribution", "uploads") && r.IsReady("Repository", "uploads"));

                // Several uploads back to back; the kill follows the last 201 at once, before any background flush could help.
                var postgresProcesses = postgres.Processes();
                for (var i = 0; i < 5; i++)
                {
                    var name = $"upload-{i}.bin";
                    var bytes = RandomNumberGenerator.GetBytes(64 * 1024 + i);
                    using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", name } };
                    using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/namespaces/default/repositories/uploads/content") { Content = form };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
                    using var response = await first.Http.SendAsync(request);
                    if (i == 4 && response.StatusCode == HttpStatusCode.Created)
                    {
                        postgres.KillAll(postgresProcesses);
                    }

                    Assert.True(response.StatusCode == HttpStatusCode.Created, $"{name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    uploaded[name] = bytes;
                }

                first.Kill();
            }

            await using var second = PackyardProcess.Start(workspace.Manifests, workspace.Data, database: null, "--upload-token", Token);
            var resources = new ResourceSnapshot(await second.WaitForAsync("Distribution uploads is Ready again",
                r => r.IsReady("Distribution", "uploads") && r.IsReady("Repository", "uploads")));

            Assert.Equal(uploaded.Count, resources.LatestVersion("uploads"));
            foreach (var (name, bytes) in uploaded)
            {
                await second.WaitUntilAsync($"{name} is served", async () =>
                    (await second.Http.GetAsync($"files/uploads/{name}")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20));
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Convert.ToHexStringLower(SHA256.HashData(await second.Http.GetByteArrayAsync($"files/uploads/{name}"))));
            }
        }
        finally
        {
            await postgres.StopAsync();
        }
    }
}
