using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>
/// Which objects must be reconciled again when another one changes, from the kinds' registrations: every object that refers
/// to it (a Repository after its Remote; a Distribution after its Repository or pull-through Remote; a Promotion after its
/// source Repository), and after a Secret every object that reads it, with the objects that refer to those.
/// </summary>
public static class DependentKeys
{
    public static IEnumerable<ResourceKey> Of(IEnumerable<object> objects, ResourceKey changed)
    {
        ArgumentNullException.ThrowIfNull(objects);
        if (changed.Kind != KindNames.Secret && !KindRegistry.All.Any(k => k.ReferredKinds.Contains(changed.Kind)))
        {
            return []; // nothing refers to this kind (a Distribution, a Promotion): no object needs to be read
        }

        var all = objects.Select(o => (Kind: KindRegistry.Of(o), Object: o)).ToList();
        if (changed.Kind != KindNames.Secret)
        {
            return Referring(all, changed);
        }

        var readers = all.Where(o => o.Kind.KeyOf(o.Object).Namespace == changed.Namespace && o.Kind.Secrets(o.Object).Contains(changed.Name))
            .Select(o => o.Kind.KeyOf(o.Object)).ToList();
        return readers.Concat(readers.SelectMany(reader => Referring(all, reader))).Distinct();
    }

    private static IEnumerable<ResourceKey> Referring(List<(KindRegistration Kind, object Object)> all, ResourceKey changed) =>
        all.Where(o => o.Kind.ReferredKinds.Contains(changed.Kind) && o.Kind.References(o.Object).Contains(changed)).Select(o => o.Kind.KeyOf(o.Object));
}
