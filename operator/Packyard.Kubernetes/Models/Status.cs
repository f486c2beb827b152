using System.Text.Json.Serialization;

namespace Packyard.Kubernetes.Models;

/// <summary>metav1.Status: the body of every API error (and of some successful deletes).</summary>
public sealed class Status
{
    public string? ApiVersion { get; set; } = "v1";
    public string? Kind { get; set; } = "Status";

    /// <summary><c>Success</c> or <c>Failure</c>.</summary>
    [JsonPropertyName("status")]
    public string? Outcome { get; set; }

    public string? Message { get; set; }

    /// <summary>Machine-readable reason: NotFound, AlreadyExists, Conflict, Invalid, Expired, Gone, …</summary>
    public string? Reason { get; set; }

    public StatusDetails? Details { get; set; }
    public int? Code { get; set; }
}
