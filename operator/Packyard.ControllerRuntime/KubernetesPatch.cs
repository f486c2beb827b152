using System.Text.Json.Nodes;

namespace Packyard.ControllerRuntime;

/// <summary>A patch body and its content type.</summary>
public sealed record KubernetesPatch(string ContentType, string Body)
{
    public const string MergePatchContentType = "application/merge-patch+json";
    public const string ApplyPatchContentType = "application/apply-patch+yaml";

    /// <summary>An RFC 7386 JSON merge patch (null removes a field).</summary>
    public static KubernetesPatch Merge(JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return new KubernetesPatch(MergePatchContentType, patch.ToJsonString());
    }

    /// <summary>A server-side apply configuration (JSON is valid YAML); needs <see cref="PatchOptions.FieldManager"/>.</summary>
    public static KubernetesPatch Apply(string configuration) => new(ApplyPatchContentType, configuration);
}
