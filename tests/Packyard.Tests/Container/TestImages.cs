using System.Text;

namespace Packyard.Tests.Container;

/// <summary>Builds image manifests, indexes and artifacts into a <see cref="ScriptedRegistry"/> (hand-written JSON, exact bytes).</summary>
public static class TestImages
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    public sealed record Image(string Digest, string MediaType, byte[] Manifest, string Config, IReadOnlyList<string> Layers)
    {
        public long Size => Manifest.Length;
    }

    /// <summary>An image of <paramref name="layers"/> random-ish layers (seeded, so the same seed gives the same image).</summary>
    public static Image AddImage(ScriptedRegistry registry, int seed, int layers = 2, string platform = "linux/amd64", string mediaType = OciManifest,
        string? subject = null, string? artifactType = null)
    {
        var random = new Random(seed);
        var (os, architecture) = (platform.Split('/')[0], platform.Split('/')[1]);
        var configBytes = Encoding.UTF8.GetBytes($"{{\"architecture\":\"{architecture}\",\"os\":\"{os}\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}},\"seed\":{seed}}}");
        var config = registry.AddBlob(configBytes);
        var layerDigests = new List<string>();
        var layerJson = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            var bytes = new byte[1000 + random.Next(5000)];
            random.NextBytes(bytes);
            var digest = registry.AddBlob(bytes);
            layerDigests.Add(digest);
            layerJson.Add($"{{\"mediaType\":\"{OciLayer}\",\"digest\":\"{digest}\",\"size\":{bytes.Length}}}");
        }

        var configType = artifactType is null ? OciConfig : "application/vnd.oci.empty.v1+json";
        var extra = (subject is null ? "" : $",\"subject\":{subject}") + (artifactType is null ? "" : $",\"artifactType\":\"{artifactType}\"");
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{mediaType}\",\"config\":{{\"mediaType\":\"{configType}\",\"digest\":\"{config}\",\"size\":{configBytes.Length}}},\"layers\":[{string.Join(',', layerJson)}]{extra}}}");
        return new Image(registry.AddManifest(mediaType, manifest), mediaType, manifest, config, layerDigests);
    }

    /// <summary>An OCI index of <paramref name="images"/> with their platforms.</summary>
    public static (string Digest, byte[] Bytes) AddIndex(ScriptedRegistry registry, IEnumerable<(Image Image, string Platform)> images)
    {
        var entries = images.Select(i =>
        {
            var parts = i.Platform.Split('/');
            var variant = parts.Length > 2 ? $",\"variant\":\"{parts[2]}\"" : "";
            return $"{{\"mediaType\":\"{i.Image.MediaType}\",\"digest\":\"{i.Image.Digest}\",\"size\":{i.Image.Size},\"platform\":{{\"architecture\":\"{parts[1]}\",\"os\":\"{parts[0]}\"{variant}}}}}";
        });
        var bytes = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{OciIndex}\",\"manifests\":[{string.Join(',', entries)}]}}");
        return (registry.AddManifest(OciIndex, bytes), bytes);
    }

    public static string Descriptor(Image image) => $"{{\"mediaType\":\"{image.MediaType}\",\"digest\":\"{image.Digest}\",\"size\":{image.Size}}}";
}
