using System.Net;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>409: a stale resourceVersion (reason Conflict) or an object that already exists (reason AlreadyExists).</summary>
public sealed class KubernetesConflictException : KubernetesApiException
{
    public KubernetesConflictException(V1Status status)
        : base(HttpStatusCode.Conflict, status)
    {
    }

    public KubernetesConflictException()
        : this(new V1Status { Reason = "Conflict", Code = 409 })
    {
    }

    public KubernetesConflictException(string message)
        : base(message)
    {
    }

    public KubernetesConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the object already existed on create, false for a stale resourceVersion.</summary>
    public bool AlreadyExists => Reason == "AlreadyExists";
}
