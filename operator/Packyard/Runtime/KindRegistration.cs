using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Standalone;
using Microsoft.Extensions.Logging;

namespace Packyard.Runtime;

/// <summary>
/// One kind as the runtime knows it, whatever its type: its name, where it comes in a (re)load, what it refers to and which
/// Secrets it reads (so it is reconciled again when they change), and how one of its objects is reconciled and cleaned up.
/// The kinds are registered once, in <see cref="KindRegistry"/>.
/// </summary>
public abstract class KindRegistration(string name, int order)
{
    /// <summary>The kind's name (<see cref="KindNames"/>).</summary>
    public string Name { get; } = name;

    /// <summary>Where the kind comes in a (re)load: kinds referred to come before the kinds referring to them.</summary>
    public int Order { get; } = order;

    /// <summary>The CLR type of the kind's objects.</summary>
    public abstract Type Type { get; }

    /// <summary>True when an object of the kind holds <c>packyard.io/finalizer</c> until its engine side is cleaned up.</summary>
    public abstract bool HoldsFinalizer { get; }

    /// <summary>The objects (same namespace) <paramref name="resource"/> refers to: it is reconciled again when one of them changes.</summary>
    public abstract IEnumerable<ResourceKey> References(object resource);

    /// <summary>The kinds an object of this kind may refer to.</summary>
    public abstract IReadOnlySet<string> ReferredKinds { get; }

    /// <summary>The names of the Secrets (same namespace) <paramref name="resource"/> reads.</summary>
    public abstract IEnumerable<string> Secrets(object resource);

    public abstract V1ObjectMeta MetadataOf(object resource);

    public abstract ResourceStatus? StatusOf(object resource);

    /// <summary>The status as <c>GET /api/v1/resources</c> shows it.</summary>
    public abstract ResourceStatusView View(object resource);

    /// <summary>The spec as JSON, to tell a changed spec from an unchanged one.</summary>
    public abstract string SpecJson(object resource);

    /// <summary>An object with only a name, standing for one whose manifest never was valid (it carries status only).</summary>
    public abstract object Stub(string ns, string name);

    /// <summary>Gives <paramref name="to"/> the status of <paramref name="from"/> (a new manifest of the same object).</summary>
    public abstract void CarryStatus(object from, object to);

    /// <summary>The object of <paramref name="key"/> as <paramref name="source"/> last read it; null when it is gone.</summary>
    public abstract object? Find(IResourceSource source, ResourceKey key);

    /// <summary>An informer of the kind (operator mode).</summary>
    public abstract IInformer Watch(ResourceClient client, string? watchNamespace, ILogger logger);

    public ResourceKey KeyOf(object resource)
    {
        var metadata = MetadataOf(resource);
        return new ResourceKey(Name, metadata.NamespaceProperty ?? "default", metadata.Name ?? "");
    }

    /// <summary>Reconciles the object of <paramref name="key"/>; null when it is gone (its engine side cleaned up).</summary>
    internal abstract Task<StepResult?> ReconcileAsync(ResourceKey key, KindContext context, CancellationToken cancellationToken);
}
