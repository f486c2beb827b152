using System.Net;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>
/// The API server answered with an error. <see cref="Status"/> is the server's metav1.Status (reason, message and,
/// for 422 Invalid, the field causes). Not sealed: 409 and 410 have their own subclasses.
/// </summary>
public class KubernetesApiException : Exception
{
    public KubernetesApiException(HttpStatusCode statusCode, V1Status status)
        : base(FormatMessage(statusCode, status))
    {
        StatusCode = statusCode;
        Status = status;
    }

    public KubernetesApiException()
        : this(HttpStatusCode.InternalServerError, new V1Status())
    {
    }

    public KubernetesApiException(string message)
        : base(message)
    {
        Status = new V1Status { Message = message };
    }

    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = new V1Status { Message = message };
    }

    public HttpStatusCode StatusCode { get; }

    public V1Status Status { get; }

    /// <summary>The Status reason: NotFound, AlreadyExists, Conflict, Invalid, Expired, …</summary>
    public string? Reason => Status.Reason;

    private static string FormatMessage(HttpStatusCode statusCode, V1Status status) =>
        $"Kubernetes API {(int)statusCode} {status?.Reason}: {status?.Message}";
}
