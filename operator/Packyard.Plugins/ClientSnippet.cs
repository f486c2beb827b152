namespace Packyard.Plugins;

/// <summary>A copy-paste client set-up step: what it does and the commands, exactly as they are to be run.</summary>
public sealed record ClientSnippet(string Title, string Commands);
