namespace Packyard.Controllers;

/// <summary>Records Kubernetes-style events (Normal/Warning) for transitions.</summary>
public interface IEventRecorder
{
    void Record(string kind, string ns, string name, bool warning, string reason, string message);
}
