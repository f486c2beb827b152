using System.Text.Json.Serialization;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>The test API server works on JSON nodes; this context covers the few scalars it serialises directly.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class ApiServerJsonContext : JsonSerializerContext;
