namespace Packyard.Content.Deb;

/// <summary>Bounds on a control file: a longer line, a larger stanza or more fields fail the read with a message.</summary>
public sealed record ControlFileLimits(int MaxLineLength = 64 * 1024, int MaxStanzaBytes = 4 << 20, int MaxFields = 1024, long MaxTotalBytes = 4L << 30);
