namespace Packyard.Content.Container;

/// <summary>The Remote's <c>spec.container</c> block cannot be used as written.</summary>
internal sealed class ContainerOptionsException(string message) : PackyardException("InvalidContainerOptions", message);
