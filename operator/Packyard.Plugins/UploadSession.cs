namespace Packyard.Plugins;

/// <summary>A resumable upload: its id and how many bytes it has received (<see cref="PushTarget"/>).</summary>
public sealed record UploadSession(string Id, long Size);
