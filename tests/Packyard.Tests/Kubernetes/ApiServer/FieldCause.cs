namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>One metav1.StatusCause of a 422 Invalid answer.</summary>
public sealed record FieldCause(string Reason, string Field, string Message)
{
    public const string Required = "FieldValueRequired";
    public const string NotSupported = "FieldValueNotSupported";
    public const string Invalid = "FieldValueInvalid";
    public const string TypeInvalid = "FieldValueTypeInvalid";
    public const string Forbidden = "FieldValueForbidden";
}
