using System.Text.Json;
using Packyard.Api.Resources;

namespace Packyard.Controllers;

/// <summary>Turns a Repository's <c>spec.publish</c> and its signing-key Secret into the engine's <see cref="PublishOptions"/>.</summary>
public static class PublishOptionsBuilder
{
    /// <summary>Throws <see cref="SecretReferenceException"/> when the signing key cannot be read.</summary>
    public static PublishOptions Build(Repository repository, IResourceLookup lookup)
    {
        var publish = repository.Spec.Publish;
        var key = publish?.SigningKeySecretRef is { } reference
            ? SecretResolver.Value(lookup, repository.Namespace, reference, "spec.publish.signingKeySecretRef")
            : null;
        var options = repository.Spec.Type == ContentType.Deb && publish?.Deb is { } deb
            ? JsonSerializer.Serialize(deb, ControllerJsonContext.Default.DebPublishOptions)
            : "{}";
        return new PublishOptions(key, options);
    }
}
