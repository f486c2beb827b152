namespace Packyard.Server;

/// <summary>How a push (<see cref="PushTarget"/>) answers.</summary>
public sealed class PushOptions
{
    /// <summary>
    /// How long a commit waits for the publication of its version before answering (a registry client pulls right after it
    /// pushes); the version is durable either way, a longer publish only delays when it is served.
    /// </summary>
    public TimeSpan PublicationWait { get; init; } = TimeSpan.FromSeconds(30);
}
