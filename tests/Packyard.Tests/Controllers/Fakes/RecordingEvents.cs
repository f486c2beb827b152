using Packyard.Controllers;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>Events as recorded, in order.</summary>
internal sealed class RecordingEvents : IEventRecorder
{
    public List<(string Kind, string Name, bool Warning, string Reason, string Message)> Recorded { get; } = [];

    public void Record(string kind, string ns, string name, bool warning, string reason, string message) =>
        Recorded.Add((kind, $"{ns}/{name}", warning, reason, message));
}
