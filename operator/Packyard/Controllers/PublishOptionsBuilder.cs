using Packyard.Api.Resources;

namespace Packyard.Controllers;

/// <summary>
/// Turns a Repository's <c>spec.publish</c> and its signing-key Secret into the engine's <see cref="PublishOptions"/>, and into
/// the args of a publish task (the key sealed, never in clear in the tasks table): the one place publish options are built.
/// </summary>
public static class PublishOptionsBuilder
{
    /// <summary>The publish task for <paramref name="version"/>. Throws <see cref="SecretReferenceException"/> when the signing key cannot be read.</summary>
    public static Engine.Tasks.PublishTaskArgs Build(Repository repository, IResourceLookup lookup, Engine.Secrets.SecretCipher secrets, long version) =>
        TaskArgs(repository, Build(repository, lookup), secrets, version);

    /// <summary>The publish task for <paramref name="version"/> with <paramref name="options"/> already built, the key sealed.</summary>
    public static Engine.Tasks.PublishTaskArgs TaskArgs(Repository repository, PublishOptions options, Engine.Secrets.SecretCipher secrets, long version)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(secrets);
        return new Engine.Tasks.PublishTaskArgs($"{repository.Namespace}/{repository.Name}", repository.Spec.Type.ToName(), version,
            options.SigningKey is { } key ? secrets.Seal(Convert.ToBase64String(key)) : null, options.TypeOptions);
    }

    /// <summary>Throws <see cref="SecretReferenceException"/> when the signing key cannot be read.</summary>
    public static PublishOptions Build(Repository repository, IResourceLookup lookup)
    {
        var publish = repository.Spec.Publish;
        var key = publish?.SigningKeySecretRef is { } reference
            ? SecretResolver.Value(lookup, repository.Namespace, reference, "spec.publish.signingKeySecretRef")
            : null;
        return new PublishOptions(key, repository.Spec.TypePublishOptions());
    }
}
