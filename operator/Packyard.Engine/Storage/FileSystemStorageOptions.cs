using System.ComponentModel.DataAnnotations;

namespace Packyard.Engine.Storage;

/// <summary>Options of <see cref="FileSystemArtifactStore"/>.</summary>
public sealed class FileSystemStorageOptions
{
    /// <summary>
    /// Root directory (created when missing). Objects live in <c>objects/</c> below it, temporary files in <c>tmp/</c>;
    /// both must be on one filesystem so that storing an object is an atomic rename.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Root { get; set; } = "";
}
