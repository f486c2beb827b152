using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>
/// Everything <see cref="ResourceClient"/> needs to address one kind: group, version, plural, scope and how its objects
/// are read and written. A custom kind uses the caller's source-generated <see cref="JsonTypeInfo{T}"/>
/// (<see cref="Custom"/>); a built-in kind uses the KubernetesClient library's model and serializer (<see cref="BuiltIn"/>).
/// </summary>
public sealed class ResourceKind<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Func<JsonElement, T?> read;
    private readonly Func<T, byte[]> write;

    private ResourceKind(
        string group, string version, string kind, string plural, bool namespaced, Func<JsonElement, T?> read, Func<T, byte[]> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(plural);
        Group = group ?? "";
        Version = version;
        Kind = kind;
        Plural = plural;
        Namespaced = namespaced;
        this.read = read;
        this.write = write;
    }

    /// <summary>A custom resource read and written with the caller's source-generated JSON.</summary>
    public static ResourceKind<T> Custom(string group, string version, string kind, string plural, bool namespaced, JsonTypeInfo<T> json)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(json);
        return new(group, version, kind, plural, namespaced, element => element.Deserialize(json), item => JsonSerializer.SerializeToUtf8Bytes(item, json));
    }

    /// <summary>A built-in kind: the library's model, read and written with the library's serializer (MicroTime and all).</summary>
    public static ResourceKind<T> BuiltIn(string group, string version, string kind, string plural, bool namespaced) =>
        new(group, version, kind, plural, namespaced, element => KubernetesJson.Deserialize<T>(element), item => Encoding.UTF8.GetBytes(KubernetesJson.Serialize(item)));

    /// <summary>API group; empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }
    public string Kind { get; }
    public string Plural { get; }
    public bool Namespaced { get; }

    /// <summary><c>group/version</c>, or <c>v1</c> for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The object as JSON (the body of a create or replace).</summary>
    public byte[] Serialize(T item) => write(item);

    /// <summary>An object from its JSON.</summary>
    public T? Deserialize(JsonElement element) => read(element);

    /// <summary>A deep copy, through JSON (cached objects are shared; reconcilers change copies).</summary>
    public T Clone(T item)
    {
        using var document = JsonDocument.Parse(write(item));
        return read(document.RootElement) ?? throw new JsonException($"{Kind} did not read back.");
    }

    /// <summary><c>namespace/name</c> (an empty namespace for cluster-scoped objects): the informers' and queues' key.</summary>
    public string KeyOf(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return ObjectKey(Namespaced ? item.Metadata?.NamespaceProperty : null, item.Metadata?.Name ?? "");
    }

    /// <summary><c>namespace/name</c>.</summary>
    public static string ObjectKey(string? objectNamespace, string name) => $"{objectNamespace}/{name}";

    /// <summary>The collection path, e.g. <c>/apis/packyard.io/v1alpha1/namespaces/default/remotes</c>.</summary>
    internal string CollectionPath(string? @namespace)
    {
        var root = Group.Length == 0 ? "api/v1" : $"apis/{Group}/{Version}";
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
