namespace Packyard.Manifests.Crds;

/// <summary>One entry of <c>x-kubernetes-validations</c>: a CEL rule and the message shown when it fails.</summary>
public sealed record SchemaValidationRule(string Rule, string Message);
