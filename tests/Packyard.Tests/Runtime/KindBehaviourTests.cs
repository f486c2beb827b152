using System.Diagnostics;
using System.Net;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Runtime;

/// <summary>
/// One test body, two resource sources: each kind's behaviour, run once in standalone mode (a manifests folder) and once in
/// operator mode (the real kube-apiserver), through <see cref="IModeDriver"/>. Both modes run the same runtime; these tests
/// say that what a user sees does not depend on where the resources come from.
/// </summary>
public abstract class KindBehaviourTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(50);

    /// <summary>Starts the mode with a database (and, in operator mode, a namespace) named after <paramref name="name"/>.</summary>
    protected abstract Task<IModeDriver> StartAsync(string name);

    [Fact]
    public async Task Remote_becomes_Ready_a_spec_it_cannot_use_never_replaces_it_unnoticed_and_the_fixed_spec_is_Ready()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha\n").WriteManifest();
        await using var mode = await StartAsync("kindremote");

        await mode.ApplyAsync("remote", Remote("upstream", upstream));
        await WaitForAsync(mode, "the Remote is Ready", "Remote", "upstream", s => s.IsReady);

        // Refused at once where the API server admits objects (operator mode: the Remote stays as it was), or taken and stalled
        // with InvalidSpec where manifests are read as they are (standalone mode): either way the field is named.
        var refusal = await mode.TryApplyAsync("remote", Remote("upstream", upstream, "rateLimit: 0"));
        if (refusal is null)
        {
            var stalled = await WaitForAsync(mode, "the Remote stalls with InvalidSpec", "Remote", "upstream",
                s => (string?)s.Condition("Stalled")?["reason"] == "InvalidSpec");
            Assert.Contains("spec.rateLimit", (string?)stalled.Condition("Stalled")!["message"], StringComparison.Ordinal);
            Assert.Equal("False", (string?)stalled.Condition("Ready")!["status"]);
        }
        else
        {
            Assert.Contains("spec.rateLimit", refusal, StringComparison.Ordinal);
            Assert.True((await mode.GetAsync("Remote", "upstream"))?.IsReady, "the refused spec left the Remote as it was");
        }

        await mode.ApplyAsync("remote", Remote("upstream", upstream, "rateLimit: 50"));
        var fixedState = await WaitForAsync(mode, "the fixed Remote is Ready at its new generation", "Remote", "upstream",
            s => s.IsReady && s.Condition("Stalled") is null && s.Generation == 2);
        Assert.Equal(2, fixedState.Long("observedGeneration"));
    }

    [Fact]
    public async Task A_Repository_spec_Packyard_cannot_use_stalls_with_InvalidSpec_naming_the_field_and_recovers_when_fixed()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha\n").WriteManifest();
        await using var mode = await StartAsync("kindinvalid");

        await mode.ApplyAsync("remote", Remote("upstream", upstream));
        await mode.ApplyAsync("repository", Repository("scheduled", "upstream", "sync: {schedule: \"0 2 * * *\", timeZone: Mars/Olympus}"));
        var stalled = await WaitForAsync(mode, "the Repository stalls with InvalidSpec", "Repository", "scheduled",
            s => (string?)s.Condition("Stalled")?["reason"] == "InvalidSpec");
        Assert.Contains("spec.sync.timeZone", (string?)stalled.Condition("Stalled")!["message"], StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus", (string?)stalled.Condition("Stalled")!["message"], StringComparison.Ordinal);
        Assert.Equal("False", (string?)stalled.Condition("Ready")!["status"]);

        await mode.ApplyAsync("repository", Repository("scheduled", "upstream", "sync: {schedule: \"0 2 * * *\", timeZone: Europe/Berlin}"));
        var ready = await WaitForAsync(mode, "the fixed Repository syncs", "Repository", "scheduled", s => s.IsReady && s.Long("latestVersion") == 1);
        Assert.Null(ready.Condition("Stalled"));
    }

    [Fact]
    public async Task Repository_syncs_and_publishes_its_Distribution_serves_it_and_a_deleted_Distribution_is_no_longer_served()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha\n").Put("docs/b.txt", "beta\n").WriteManifest();
        await using var mode = await StartAsync("kindrepository");

        await mode.ApplyAsync("remote", Remote("upstream", upstream));
        await mode.ApplyAsync("repository", Repository("mirror", "upstream"));
        await mode.ApplyAsync("distribution", Distribution("mirror", "files/kind-mirror", "mirror"));

        var repository = await WaitForAsync(mode, "the Repository published version 1 with both files", "Repository", "mirror",
            s => s.IsReady && s.Long("latestVersion") == 1 && s.Long("contentCount") == 2);
        Assert.Equal(1, repository.Long("observedGeneration"));
        await WaitForAsync(mode, "the Distribution is Ready", "Distribution", "mirror", s => s.IsReady);
        Assert.Equal("alpha\n", await mode.Http.GetStringAsync("files/kind-mirror/a.txt"));
        Assert.Equal("beta\n", await mode.Http.GetStringAsync("files/kind-mirror/docs/b.txt"));

        await mode.DeleteAsync("distribution");
        await WaitUntilAsync(mode, "the deleted Distribution's base path answers 404", async () =>
            (await mode.Http.GetAsync("files/kind-mirror/a.txt")).StatusCode == HttpStatusCode.NotFound);
        await WaitUntilAsync(mode, "the deleted Distribution is gone", async () => await mode.GetAsync("Distribution", "mirror") is null);
        Assert.True((await mode.GetAsync("Repository", "mirror"))?.IsReady, "the Repository stays Ready without its Distribution");
    }

    [Fact]
    public async Task Promotion_copies_the_source_version_into_the_target_repository_which_its_Distribution_serves()
    {
        using var upstream = new FileUpstream().Put("tool-1.0.tar.gz", "one\n").Put("notes.txt", "notes\n").WriteManifest();
        await using var mode = await StartAsync("kindpromotion");

        await mode.ApplyAsync("remote", Remote("upstream", upstream));
        await mode.ApplyAsync("repositories", Repository("dev", "upstream") + "---\n" + Repository("prod", remote: null));
        await mode.ApplyAsync("distribution", Distribution("prod", "files/kind-prod", "prod"));
        await WaitForAsync(mode, "the source Repository is at version 1", "Repository", "dev", s => s.IsReady && s.Long("latestVersion") == 1);

        await mode.ApplyAsync("promotion", """
            apiVersion: packyard.io/v1alpha1
            kind: Promotion
            metadata: {name: dev-to-prod}
            spec:
              sourceRef: {name: dev}
              targetRef: {name: prod}
              select: {paths: ["*.tar.gz"]}
            """);
        var promotion = await WaitForAsync(mode, "the Promotion is Ready", "Promotion", "dev-to-prod", s => s.IsReady && s.Long("targetVersion") is not null);
        Assert.Equal(1, promotion.Long("sourceVersion"));
        Assert.Equal(1, promotion.Long("added"));
        var target = await WaitForAsync(mode, "the target Repository holds the promoted file", "Repository", "prod",
            s => s.Long("latestVersion") == promotion.Long("targetVersion") && s.Long("contentCount") == 1);
        Assert.True(target.Long("latestVersion") >= 1);
        await WaitUntilAsync(mode, "the target's Distribution serves the promoted file", async () =>
            (await mode.Http.GetAsync("files/kind-prod/tool-1.0.tar.gz")).StatusCode == HttpStatusCode.OK);
        Assert.Equal("one\n", await mode.Http.GetStringAsync("files/kind-prod/tool-1.0.tar.gz"));
        Assert.Equal(HttpStatusCode.NotFound, (await mode.Http.GetAsync("files/kind-prod/notes.txt")).StatusCode);
    }

    private static string Remote(string name, FileUpstream upstream, string extra = "") => $$"""
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: {{name}}}
        spec:
          type: file
          url: "{{upstream.FileUrl.AbsoluteUri}}"
          policy: Immediate
          {{extra}}

        """;

    private static string Repository(string name, string? remote, string extra = "") => $$"""
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: {{name}}}
        spec:
          type: file
          {{(remote is null ? "" : $"remoteRef: {{name: {remote}}}")}}
          {{extra}}

        """;

    private static string Distribution(string name, string basePath, string repository) => $$"""
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: {{name}}}
        spec:
          basePath: {{basePath}}
          repositoryRef: {name: {{repository}}}

        """;

    private static async Task<ResourceState> WaitForAsync(IModeDriver mode, string what, string kind, string name, Func<ResourceState, bool> predicate)
    {
        var clock = Stopwatch.StartNew();
        ResourceState? last = null;
        while (clock.Elapsed < Timeout)
        {
            last = await mode.GetAsync(kind, name) ?? last;
            if (last is not null && predicate(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Not within {Timeout.TotalSeconds:0} s: {what}.\n{kind} {name}: {last?.ToString() ?? "(never seen)"}\nOutput:\n{mode.Output}");
        return last!;
    }

    private static async Task WaitUntilAsync(IModeDriver mode, string what, Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Timeout, $"Not within {Timeout.TotalSeconds:0} s: {what}.\nOutput:\n{mode.Output}");
            await Task.Delay(250);
        }
    }
}
