namespace Packyard.Engine.Promotions;

/// <summary>A selection (or one of its names) that matches nothing in the source version.</summary>
public sealed class NothingSelectedException(string message) : Exception(message);
