using Packyard.Api.Resources;

namespace Packyard.Server;

/// <summary>Uploads that a Repository's spec would silently undo, refused with 409 before any byte is read.</summary>
public static class UploadRefusal
{
    /// <summary>
    /// Why uploads into <paramref name="repository"/> are refused, or null: a repository that syncs a Remote with
    /// <c>spec.sync.mode: Mirror</c> is made equal to the upstream by every sync, which removes whatever was uploaded.
    /// Applies to every content type, whether or not <c>spec.uploads.enabled</c> is set.
    /// </summary>
    public static string? For(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var spec = repository.Spec;
        if (spec.RemoteRef is not { } remote || spec.Sync?.Mode != SyncMode.Mirror)
        {
            return null;
        }

        return $"repository {repository.Namespace}/{repository.Name} mirrors Remote {remote.Name} (spec.sync.mode: Mirror), so the next sync "
            + "would remove anything uploaded; refused. Use spec.sync.mode: Additive to keep uploads beside synced content, "
            + "or upload into a separate Repository without a remoteRef and bring its content in with a Promotion";
    }
}
