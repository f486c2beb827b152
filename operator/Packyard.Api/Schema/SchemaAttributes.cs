namespace Packyard.Api.Schema;

// Schema facts for CRD generation (`packyard crds`) and manifest validation (`packyard validate`).
// They describe; they never run. The generator reads them by reflection over types that have no behaviour.

/// <summary>Human description copied into the OpenAPI schema.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property | AttributeTargets.Enum)]
public sealed class DescriptionAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>The property must be present.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;

/// <summary>ECMA-262 regular expression the string value must match.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;
}

/// <summary>Default value applied by the API server (and by standalone mode) when the property is absent.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultAttribute(object value) : Attribute
{
    public object Value { get; } = value;
}

/// <summary>Inclusive numeric bounds.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RangeAttribute(double minimum, double maximum = double.MaxValue) : Attribute
{
    public double Minimum { get; } = minimum;
    public double Maximum { get; } = maximum;
}

/// <summary>Minimum string length or array item count.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}

/// <summary>
/// Maximum string length or array item count. The API server estimates the cost of a CEL rule from these bounds and refuses a
/// CRD whose rules over unbounded lists or strings could cost too much.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}

/// <summary>The value cannot change once set (CEL transition rule <c>self == oldSelf</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ImmutableAttribute : Attribute;

/// <summary>
/// A CEL rule (<c>x-kubernetes-validations</c>) on the class or property it decorates. Not sealed: a rule built from a
/// list (<see cref="ReservedBasePathRuleAttribute"/>) derives from it, since an attribute's arguments must be constants.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true)]
public class ValidationRuleAttribute(string rule, string message) : Attribute
{
    public string Rule { get; } = rule;
    public string Message { get; } = message;
}

/// <summary>Marks the root resource class: group/version/kind, plural, short names.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class KubernetesResourceAttribute(string kind, string plural, params string[] shortNames) : Attribute
{
    public string Group { get; } = PackyardGroup.Name;
    public string Version { get; } = PackyardGroup.Version;
    public string Kind { get; } = kind;
    public string Plural { get; } = plural;
    public string[] ShortNames { get; } = shortNames;
    public string[] Categories { get; } = [PackyardGroup.Category];
}

/// <summary>A printer column for <c>kubectl get</c>; order of declaration is column order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(string name, string type, string jsonPath) : Attribute
{
    public string Name { get; } = name;
    public string Type { get; } = type;
    public string JsonPath { get; } = jsonPath;
    public int Priority { get; init; }
    public string? Description { get; init; }
}

/// <summary>The API group every Packyard kind belongs to.</summary>
public static class PackyardGroup
{
    public const string Name = "packyard.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Name + "/" + Version;
    public const string Category = "packyard";

    /// <summary>Annotation a user sets to any new value to request an immediate reconcile (echoed in status.lastHandledRequest).</summary>
    public const string RequestedAtAnnotation = "packyard.io/requested-at";

    /// <summary>Finalizer that lets Packyard clean up engine state before a resource disappears.</summary>
    public const string Finalizer = "packyard.io/finalizer";
}
