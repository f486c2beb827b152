using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>
/// Who refers to whom, kept up to date as objects change instead of scanning every cached object on each change: for every
/// object (and Secret, as <see cref="KindNames.Secret"/> keys) the objects that refer to it or read it, from the kinds'
/// registrations. <see cref="DependentsOf"/> answers what <see cref="DependentKeys"/> defines. Safe for concurrent use.
/// </summary>
public sealed class ReferrerIndex
{
    private readonly Lock gate = new();
    private readonly Dictionary<ResourceKey, HashSet<ResourceKey>> referrers = [];
    private readonly Dictionary<ResourceKey, ResourceKey[]> referencesOf = [];

    /// <summary>Records what the object of <paramref name="key"/> refers to and reads now; null when it is gone (or unknown).</summary>
    public void Update(ResourceKey key, object? resource)
    {
        var targets = resource is null ? [] : Targets(KindRegistry.Of(resource), resource);
        lock (gate)
        {
            if (referencesOf.TryGetValue(key, out var old))
            {
                if (old.AsSpan().SequenceEqual(targets))
                {
                    return; // the usual case: a status or metadata change leaves the references as they were
                }

                foreach (var target in old)
                {
                    if (referrers.TryGetValue(target, out var set) && set.Remove(key) && set.Count == 0)
                    {
                        referrers.Remove(target);
                    }
                }
            }

            if (targets.Length == 0)
            {
                referencesOf.Remove(key);
                return;
            }

            referencesOf[key] = targets;
            foreach (var target in targets)
            {
                if (!referrers.TryGetValue(target, out var set))
                {
                    referrers[target] = set = [];
                }

                set.Add(key);
            }
        }
    }

    /// <summary>
    /// The objects to reconcile again after <paramref name="changed"/> changed or went: those that refer to it; after a Secret,
    /// those that read it and the objects that refer to those.
    /// </summary>
    public IReadOnlyList<ResourceKey> DependentsOf(ResourceKey changed)
    {
        lock (gate)
        {
            if (!referrers.TryGetValue(changed, out var direct))
            {
                return [];
            }

            if (changed.Kind != KindNames.Secret)
            {
                return [.. direct];
            }

            var dependents = new HashSet<ResourceKey>(direct);
            foreach (var reader in direct)
            {
                if (referrers.TryGetValue(reader, out var indirect))
                {
                    dependents.UnionWith(indirect);
                }
            }

            return [.. dependents];
        }
    }

    /// <summary>The distinct keys (same namespace) <paramref name="resource"/> refers to, its Secrets as Secret keys.</summary>
    private static ResourceKey[] Targets(KindRegistration kind, object resource)
    {
        var ns = kind.KeyOf(resource).Namespace;
        return kind.References(resource)
            .Concat(kind.Secrets(resource).Select(secret => new ResourceKey(KindNames.Secret, ns, secret)))
            .Distinct()
            .ToArray();
    }
}
