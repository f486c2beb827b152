using System.Net;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>
/// 410 Gone (reason Expired or Gone): the resourceVersion a watch or continue token started from is older than the
/// server keeps. An informer answers it by listing again.
/// </summary>
public sealed class ResourceExpiredException : KubernetesApiException
{
    public ResourceExpiredException(V1Status status)
        : base(HttpStatusCode.Gone, status)
    {
    }

    public ResourceExpiredException()
        : this(new V1Status { Reason = "Expired", Code = 410 })
    {
    }

    public ResourceExpiredException(string message)
        : base(message)
    {
    }

    public ResourceExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
