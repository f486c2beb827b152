using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>
/// Which objects must be reconciled again when another one changes, from the kinds' registrations: every object that refers
/// to it (a Repository after its Remote; a Distribution after its Repository or pull-through Remote; a Promotion after its
/// source Repository), and after a Secret every object that reads it, with the objects that refer to those. The runtime keeps
/// a <see cref="ReferrerIndex"/> up to date instead of computing this from every object on each change.
/// </summary>
public static class DependentKeys
{
    public static IEnumerable<ResourceKey> Of(IEnumerable<object> objects, ResourceKey changed)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var index = new ReferrerIndex();
        foreach (var item in objects)
        {
            index.Update(KindRegistry.Of(item).KeyOf(item), item);
        }

        return index.DependentsOf(changed);
    }
}
