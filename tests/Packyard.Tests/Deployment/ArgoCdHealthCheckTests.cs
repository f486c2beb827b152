using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Deployment;

/// <summary>
/// The Lua health checks of <c>config/argocd/argocd-cm-patch.yaml</c>, run by Lua 5.1 (Argo CD embeds gopher-lua, a
/// Lua 5.1) on resources serialised exactly as the client writes them, as Argo CD passes them in <c>obj</c>.
/// </summary>
public sealed class ArgoCdHealthCheckTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Scripts = new(LoadScripts);

    public static TheoryData<string> Kinds => new(["Remote", "Repository", "Distribution", "Promotion"]);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Ready_true_at_the_current_generation_is_healthy(string kind)
    {
        var health = await RunAsync(kind, Resource(generation: 3, observed: 3, Ready(ConditionStatus.True, "Succeeded", "serving version 4")));

        Assert.Equal(("Healthy", "serving version 4"), health);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Ready_false_is_degraded_with_its_message(string kind)
    {
        var health = await RunAsync(kind, Resource(generation: 2, observed: 2, Ready(ConditionStatus.False, "SyncFailed", "GET https://example.com/PULP_MANIFEST: 503")));

        Assert.Equal(("Degraded", "GET https://example.com/PULP_MANIFEST: 503"), health);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Stalled_is_degraded_with_the_stalled_message(string kind)
    {
        var health = await RunAsync(kind, Resource(generation: 2, observed: 2,
            Ready(ConditionStatus.False, "InvalidSpec", "invalid spec"),
            Condition("Stalled", ConditionStatus.True, "InvalidSpec", "spec.remoteRef: Remote \"missing\" not found")));

        Assert.Equal(("Degraded", "spec.remoteRef: Remote \"missing\" not found"), health);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Reconciling_is_progressing_even_when_the_last_generation_was_ready(string kind)
    {
        var health = await RunAsync(kind, Resource(generation: 2, observed: 2,
            Condition("Reconciling", ConditionStatus.True, "Progressing", "syncing: 3 of 10 artifacts"),
            Ready(ConditionStatus.True, "Succeeded", "version 1")));

        Assert.Equal(("Progressing", "syncing: 3 of 10 artifacts"), health);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_stale_observed_generation_is_progressing_although_ready_is_true(string kind)
    {
        var health = await RunAsync(kind, Resource(generation: 5, observed: 4, Ready(ConditionStatus.True, "Succeeded", "version 1")));

        Assert.Equal(("Progressing", "Waiting for the operator to observe generation 5"), health);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_resource_without_status_is_progressing(string kind)
    {
        var health = await RunAsync(kind, Resource(generation: 1, observed: null));

        Assert.Equal("Progressing", health.Status);
    }

    private static Repository Resource(long generation, long? observed, params Condition[] conditions) => new()
    {
        Metadata = { Name = "quickstart", NamespaceProperty = "default", Generation = generation },
        Status = observed is null && conditions.Length == 0 ? null : new RepositoryStatus { ObservedGeneration = observed, Conditions = [.. conditions] },
    };

    private static Condition Ready(ConditionStatus status, string reason, string message) => Condition("Ready", status, reason, message);

    private static Condition Condition(string type, ConditionStatus status, string reason, string message) => new()
    {
        Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = DateTimeOffset.UtcNow, ObservedGeneration = 1,
    };

    /// <summary>Runs the kind's health script on the object (the four kinds share the status shape) and returns its verdict.</summary>
    private static async Task<(string Status, string Message)> RunAsync(string kind, Repository resource)
    {
        var json = JsonNode.Parse(Packyard.Operator.PackyardKinds.Repository.Serialize(resource))!.AsObject();
        json["kind"] = kind;
        var script = Scripts.Value[$"resource.customizations.health.packyard.io_{kind}"];
        var program = $"obj = {Lua(json)}\nlocal hs = (function()\n{script}\nend)()\nio.write(hs.status, \"\\n\", hs.message or \"\")\n";
        var start = new ProcessStartInfo("lua5.1", "-")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(program);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"lua5.1 failed: {error}");
        var lines = output.Split('\n', 2);
        return (lines[0], lines.ElementAtOrDefault(1) ?? "");
    }

    /// <summary>A Lua table constructor for a JSON value, as Argo CD converts the object (null fields are absent).</summary>
    private static string Lua(JsonNode? node) => node switch
    {
        JsonObject item => "{" + string.Join(", ", item.Where(p => p.Value is not null).Select(p => $"[{Quote(p.Key)}] = {Lua(p.Value)}")) + "}",
        JsonArray items => "{" + string.Join(", ", items.Select(Lua)) + "}",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => Quote(value.GetValue<string>()),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
        JsonValue value => value.ToJsonString(),
        _ => "nil",
    };

    private static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", _ => c.ToString() });
        }

        return builder.Append('"').ToString();
    }

    private static IReadOnlyDictionary<string, string> LoadScripts()
    {
        var patch = YamlJson.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "config", "argocd", "argocd-cm-patch.yaml")))!;
        return patch["data"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
    }
}
