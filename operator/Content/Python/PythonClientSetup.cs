using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>The status page's client set-up for a python distribution: pip with the PEP 503 index, twine with <c>legacy/</c> when the repository takes uploads.</summary>
internal sealed class PythonClientSetup : IClientSetup
{
    public IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context) => context.UploadsEnabled
        ?
        [
            new("pip", $"pip install --index-url {context.Url}simple/ PROJECT"),
            new("twine (user __token__, the upload token as password)", $"twine upload --repository-url {context.Url}legacy/ dist/*"),
        ]
        : [new("pip", $"pip install --index-url {context.Url}simple/ PROJECT")];
}
