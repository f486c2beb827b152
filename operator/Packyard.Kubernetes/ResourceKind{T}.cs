using System.Text.Json.Serialization.Metadata;
using Packyard.Api.Resources;
using Packyard.Kubernetes.Models;

namespace Packyard.Kubernetes;

/// <summary>
/// Everything the client needs to address one kind: its group, version, plural, scope, how to reach its metadata
/// and its source-generated JSON contracts. The instances live in <see cref="KubernetesKinds"/>.
/// </summary>
public sealed class ResourceKind<T>
    where T : class
{
    internal ResourceKind(
        string group, string version, string kind, string plural, bool namespaced, Func<T, ObjectMeta> metadata,
        JsonTypeInfo<T> type, JsonTypeInfo<KubernetesList<T>> list, JsonTypeInfo<WatchEvent<T>> watchEvent)
    {
        Group = group;
        Version = version;
        Kind = kind;
        Plural = plural;
        Namespaced = namespaced;
        Metadata = metadata;
        TypeInfo = type;
        ListTypeInfo = list;
        WatchEventTypeInfo = watchEvent;
    }

    /// <summary>API group; empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }
    public string Kind { get; }
    public string Plural { get; }
    public bool Namespaced { get; }

    /// <summary><c>group/version</c>, or <c>v1</c> for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Reads an object's metadata.</summary>
    public Func<T, ObjectMeta> Metadata { get; }

    internal JsonTypeInfo<T> TypeInfo { get; }
    internal JsonTypeInfo<KubernetesList<T>> ListTypeInfo { get; }
    internal JsonTypeInfo<WatchEvent<T>> WatchEventTypeInfo { get; }

    /// <summary>The collection path, e.g. <c>/apis/packyard.io/v1alpha1/namespaces/default/remotes</c>.</summary>
    internal string CollectionPath(string? @namespace)
    {
        var root = Group.Length == 0 ? "/api/v1" : $"/apis/{Group}/{Version}";
        if (!Namespaced || @namespace is null)
        {
            return $"{root}/{Plural}";
        }

        return $"{root}/namespaces/{Uri.EscapeDataString(@namespace)}/{Plural}";
    }

    internal string ObjectPath(string? @namespace, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Namespaced)
        {
            ArgumentException.ThrowIfNullOrEmpty(@namespace);
        }

        return $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";
    }

    public override string ToString() => $"{Plural}.{(Group.Length == 0 ? "core" : Group)}/{Version}";
}
