using System.Text.Json.Nodes;
using Packyard.ControllerRuntime;

namespace Packyard.Tests.Kubernetes.Operator;

public sealed class MergePatchDiffTests
{
    [Fact]
    public void Equal_documents_need_no_patch() =>
        Assert.Null(MergePatchDiff.Create(JsonNode.Parse("""{"a":1,"b":{"c":[1,2]}}"""), JsonNode.Parse("""{"b":{"c":[1,2]},"a":1}""")));

    [Theory]
    [InlineData("""{"a":1,"b":2}""", """{"a":1,"b":3}""", """{"b":3}""")]
    [InlineData("""{"a":1,"b":2}""", """{"a":1}""", """{"b":null}""")]
    [InlineData("""{"a":{"x":1,"y":2}}""", """{"a":{"x":1,"y":5,"z":true}}""", """{"a":{"y":5,"z":true}}""")]
    [InlineData("""{"l":[{"t":"Ready","s":"False"}]}""", """{"l":[{"t":"Ready","s":"True"}]}""", """{"l":[{"t":"Ready","s":"True"}]}""")]
    [InlineData("""{}""", """{"n":{"m":1}}""", """{"n":{"m":1}}""")]
    [InlineData("""{"n":{"m":1}}""", """{"n":"text"}""", """{"n":"text"}""")]
    public void The_patch_sets_changes_nulls_removals_and_replaces_arrays(string before, string after, string patch) =>
        Assert.Equal(patch, MergePatchDiff.Create(JsonNode.Parse(before), JsonNode.Parse(after))!.ToJsonString());

    [Fact]
    public void Applying_the_patch_as_RFC_7386_describes_gives_the_new_document()
    {
        var before = JsonNode.Parse("""{"status":{"a":1,"gone":"x","nested":{"keep":1,"change":2},"list":[1]}}""")!;
        var after = JsonNode.Parse("""{"status":{"a":1,"nested":{"keep":1,"change":3,"add":4},"list":[1,2]}}""")!;
        var patch = MergePatchDiff.Create(before, after)!;
        Assert.True(JsonNode.DeepEquals(after, Apply(before.DeepClone(), patch)));
    }

    private static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject members)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (name, value) in members)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result.TryGetPropertyValue(name, out var existing);
                var merged = Apply(existing?.DeepClone(), value);
                result[name] = merged;
            }
        }

        return result;
    }
}
