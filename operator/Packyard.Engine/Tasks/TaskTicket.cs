using System.Globalization;

namespace Packyard.Engine.Tasks;

/// <summary>A queued or running task of any kind, as a controller shows it in status.</summary>
public sealed record TaskTicket(long Id, string Kind, bool Running, string? Worker, DateTimeOffset Since)
{
    /// <summary>The Reconciling message while the task waits or runs.</summary>
    public string Describe() => Running
        ? string.Create(CultureInfo.InvariantCulture, $"{Kind} running on worker {Worker} since {Since:yyyy-MM-ddTHH:mm:ssZ} (task {Id})")
        : string.Create(CultureInfo.InvariantCulture, $"{Kind} queued (task {Id}), waiting for a worker");
}
