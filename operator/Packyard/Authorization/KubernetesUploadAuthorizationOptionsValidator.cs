using Microsoft.Extensions.Options;

namespace Packyard.Authorization;

/// <summary>Source-generated validation of <see cref="KubernetesUploadAuthorizationOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class KubernetesUploadAuthorizationOptionsValidator : IValidateOptions<KubernetesUploadAuthorizationOptions>;
