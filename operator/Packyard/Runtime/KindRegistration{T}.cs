using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Operator;

namespace Packyard.Runtime;

/// <summary>A kind whose objects are <typeparamref name="T"/>, read and written as <see cref="Api"/>.</summary>
public abstract class KindRegistration<T>(string name, int order, ResourceKind<T> api) : KindRegistration(name, order)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The kind as the API serves it (JSON, paths, copies).</summary>
    public ResourceKind<T> Api { get; } = api;

    public override Type Type => typeof(T);

    /// <summary>Sets the status of <paramref name="to"/> to the one of <paramref name="from"/>.</summary>
    public abstract void CopyStatus(T from, T to);

    public override V1ObjectMeta MetadataOf(object resource) => ((T)resource).Metadata;

    public override string SpecJson(object resource) =>
        System.Text.Json.Nodes.JsonNode.Parse(Api.Serialize((T)resource))?["spec"]?.ToJsonString() ?? "";

    public override void CarryStatus(object from, object to)
    {
        if (from is T before && to is T after)
        {
            CopyStatus(before, after);
        }
    }

    public override object? Find(IResourceSource source, ResourceKey key)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Get(this, key.Namespace, key.Name)?.Object;
    }

    public override IInformer Watch(ResourceClient client, string? watchNamespace, ILogger logger) =>
        new Informer<T>(client, Api, watchNamespace, logger) { Transform = ResourceCache.Trimmed<T>() };
}
