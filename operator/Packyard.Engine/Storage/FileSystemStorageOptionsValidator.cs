using Microsoft.Extensions.Options;

namespace Packyard.Engine.Storage;

/// <summary>Source-generated validation of <see cref="FileSystemStorageOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class FileSystemStorageOptionsValidator : IValidateOptions<FileSystemStorageOptions>;
