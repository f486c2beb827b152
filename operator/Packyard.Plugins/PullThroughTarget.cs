namespace Packyard.Plugins;

/// <summary>A pull-through distribution: its base path and its Remote (credentials included: never log it).</summary>
public sealed record PullThroughTarget(string BasePath, RemoteSettings Remote);
