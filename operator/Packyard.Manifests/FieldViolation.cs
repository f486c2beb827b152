namespace Packyard.Manifests;

/// <summary>A rule broken at a field path of one resource (<c>spec.deb</c>), before it is given a file and line.</summary>
internal readonly record struct FieldViolation(string Path, string Message);
