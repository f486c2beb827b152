using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>The Remote's <c>spec.python</c> block cannot be used (e.g. an include that is not a PEP 508 requirement).</summary>
public sealed class PythonOptionsException(string message) : PackyardException("InvalidPythonOptions", message);
