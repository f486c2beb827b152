using Packyard.Api.Resources;

namespace Packyard.Api.Schema;

/// <summary>The CEL rule that keeps <c>spec.basePath</c> off <see cref="ReservedPaths.FirstSegments"/>, built from that one list.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReservedBasePathRuleAttribute() : ValidationRuleAttribute(ReservedPaths.BasePathRule, ReservedPaths.BasePathMessage);
