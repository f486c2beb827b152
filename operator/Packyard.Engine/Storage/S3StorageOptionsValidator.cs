using Microsoft.Extensions.Options;

namespace Packyard.Engine.Storage;

/// <summary>Source-generated validation of <see cref="S3StorageOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class S3StorageOptionsValidator : IValidateOptions<S3StorageOptions>;
