namespace Packyard.Plugins;

/// <summary>
/// The client set-up a content type prints for one of its distributions (the status page): copy-paste commands for its package
/// manager, run as root where they write system folders; capitals such as <c>PACKAGE</c> are placeholders.
/// </summary>
public interface IClientSetup
{
    IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context);
}
