using Packyard.Api.Resources;
using Packyard.Engine.Catalog;

namespace Packyard.Server;

/// <summary>The upload API's answer to "may this request upload here": the target, or the status and message of the refusal.</summary>
internal sealed record UploadAdmission(UploadTarget? Target, Repository? Declared, int Status, string? Message)
{
    public static UploadAdmission Refused(int status, string message) => new(null, null, status, message);
}
