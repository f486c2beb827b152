namespace Packyard.ControllerRuntime;

/// <summary>What <see cref="StatusPatcher.PatchAsync{T}"/> did.</summary>
public enum StatusPatchResult
{
    Unchanged,
    Patched,
    NotFound,
}
