namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>An authorizer's answer; RBAC only allows or has no opinion, so a refusal is never an explicit deny.</summary>
public sealed record AuthorizationDecision(bool Allowed, string Reason);
