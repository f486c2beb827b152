namespace Packyard.Plugins;

/// <summary>The upload bodies a content type's <see cref="IUploadParser"/> accepts.</summary>
[Flags]
public enum UploadBodies
{
    None = 0,

    /// <summary>A <c>multipart/form-data</c> form with one file part and optional fields (twine, curl -F).</summary>
    Multipart = 1,

    /// <summary>
    /// The request body itself, streamed into the store (any other Content-Type; e.g. an OCI blob PUT): the file name and
    /// fields come from the query string (<c>?filename=…&amp;relativePath=…</c>).
    /// </summary>
    Raw = 2,
}
