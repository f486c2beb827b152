using k8s.Models;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Manifests;
using Packyard.Runtime;

namespace Packyard.Standalone;

/// <summary>One resource read from the manifests, with the status Packyard reports for it.</summary>
public sealed class ResourceEntry(ResourceKey key, string file, int line)
{
    public ResourceKey Key { get; } = key;
    public string File { get; set; } = file;
    public int Line { get; set; } = line;

    /// <summary>The resource (Remote, Repository, Distribution or Promotion); kept from the last valid manifest when the current one is invalid.</summary>
    public object? Resource { get; set; }

    /// <summary>Validation errors of the current manifest (file:line: message), or null when it is valid.</summary>
    public string? Error { get; set; }

    /// <summary>True while the resource has never had a valid manifest (its object only carries status).</summary>
    public bool IsStub { get; set; }

    public long Generation { get; set; }
    public string SpecJson { get; set; } = "";
    public int Failures { get; set; }
}

/// <summary>
/// The resources of the manifests folder, updated on every reload: generations grow when a spec changes (as the API
/// server does), invalid documents keep the last valid object and carry their errors, Secrets are kept apart.
/// </summary>
public sealed class ResourceSet : IResourceLookup, Server.IRepositorySource
{
    private readonly Lock gate = new();
    private Dictionary<ResourceKey, ResourceEntry> entries = [];
    private Dictionary<(string Namespace, string Name), Secret> secrets = [];

    public IReadOnlyList<ResourceEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. entries.Values.OrderBy(e => KindRegistry.Find(e.Key.Kind)?.Order).ThenBy(e => e.Key.Namespace, StringComparer.Ordinal).ThenBy(e => e.Key.Name, StringComparer.Ordinal)];
            }
        }
    }

    public ResourceEntry? Get(ResourceKey key)
    {
        lock (gate)
        {
            return entries.GetValueOrDefault(key);
        }
    }

    /// <summary>Replaces the set with what the manifests now say; returns the keys that changed and the entries that went away.</summary>
    public (List<ResourceKey> Changed, List<ResourceEntry> Removed) Apply(IReadOnlyList<DocumentValidation> documents)
    {
        var changed = new List<ResourceKey>();
        lock (gate)
        {
            var next = new Dictionary<ResourceKey, ResourceEntry>();
            var nextSecrets = new Dictionary<(string, string), Secret>();
            foreach (var validation in documents)
            {
                var document = validation.Document;
                if (document.Kind == KindNames.Secret && document.Object is Secret secret)
                {
                    nextSecrets[(document.Namespace, document.Name)] = secret;
                    continue;
                }

                if (KindRegistry.Find(document.Kind) is not { } kind || string.IsNullOrEmpty(document.Name))
                {
                    continue;
                }

                var key = new ResourceKey(document.Kind, document.Namespace, document.Name);
                var entry = entries.GetValueOrDefault(key) ?? new ResourceEntry(key, document.File, document.Line);
                entry.File = document.File;
                entry.Line = document.Line;
                if (next.ContainsKey(key))
                {
                    continue; // a duplicate; the validator reports it on the later document
                }

                next[key] = entry;
                var error = validation.IsValid ? null : string.Join("; ", validation.Errors.Select(e => e.ToString()));
                if (error is not null)
                {
                    if (entry.Resource is null)
                    {
                        entry.Resource = kind.Stub(key.Namespace, key.Name);
                        entry.IsStub = true;
                    }

                    if (entry.Error != error)
                    {
                        entry.Error = error;
                        changed.Add(key);
                    }

                    continue;
                }

                var resource = Normalise(document.Object!, document.File);
                var specJson = kind.SpecJson(resource);
                if (entry.Error is not null || specJson != entry.SpecJson || !SameAnnotations(entry.Resource, resource))
                {
                    if (specJson != entry.SpecJson)
                    {
                        entry.Generation++;
                        entry.SpecJson = specJson;
                    }

                    // The new object keeps the old one's status and gets the current generation.
                    kind.MetadataOf(resource).Generation = entry.Generation;
                    if (entry.Resource is not null)
                    {
                        kind.CarryStatus(entry.Resource, resource);
                    }

                    entry.Resource = resource;
                    entry.IsStub = false;
                    entry.Error = null;
                    changed.Add(key);
                }
            }

            var removed = entries.Where(e => !next.ContainsKey(e.Key)).Select(e => e.Value).ToList();
            entries = next;
            secrets = nextSecrets;
            return (changed, removed);
        }
    }

    public Remote? GetRemote(string ns, string name) => Typed<Remote>(KindNames.Remote, ns, name);

    public Repository? GetRepository(string ns, string name) => Typed<Repository>(KindNames.Repository, ns, name);

    /// <summary>The Repository's last valid manifest, for the upload endpoint.</summary>
    public Task<Repository?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken) => Task.FromResult(GetRepository(ns, name));

    public Secret? GetSecret(string ns, string name)
    {
        lock (gate)
        {
            return secrets.GetValueOrDefault((ns, name));
        }
    }

    public IEnumerable<Distribution> Distributions => Entries.Where(e => !e.IsStub).Select(e => e.Resource).OfType<Distribution>();

    /// <summary>
    /// The resource's last valid object: like the API server, which rejects an invalid update and keeps the old
    /// object, a manifest edited into an invalid state does not make its dependents lose it.
    /// </summary>
    private T? Typed<T>(string kind, string ns, string name) where T : class
    {
        var entry = Get(new ResourceKey(kind, ns, name));
        return entry is { IsStub: false } ? entry.Resource as T : null;
    }

    /// <summary>Resolves standalone-only conveniences: <c>file:relative/path</c> URLs are relative to the manifest's folder.</summary>
    private static object Normalise(object resource, string file)
    {
        if (resource is Remote remote && remote.Spec.Url.StartsWith("file:", StringComparison.Ordinal) && !remote.Spec.Url.StartsWith("file:/", StringComparison.Ordinal))
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            var relative = remote.Spec.Url["file:".Length..];
            var absolute = Path.GetFullPath(Path.Combine(folder, relative));
            remote.Spec.Url = new Uri(absolute + (relative.EndsWith('/') && !absolute.EndsWith('/') ? "/" : "")).AbsoluteUri;
        }

        return resource;
    }

    private static bool SameAnnotations(object? before, object after) =>
        Metadata(before)?.Annotation(Api.Schema.PackyardGroup.RequestedAtAnnotation)
        == Metadata(after)?.Annotation(Api.Schema.PackyardGroup.RequestedAtAnnotation);

    private static V1ObjectMeta? Metadata(object? resource) => resource is null ? null : KindRegistry.Of(resource).MetadataOf(resource);
}
