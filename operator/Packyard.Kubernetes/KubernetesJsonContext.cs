using System.Text.Json;
using System.Text.Json.Serialization;
using Packyard.Api.Resources;
using Packyard.Kubernetes.Models;

namespace Packyard.Kubernetes;

/// <summary>Source-generated JSON for every type the client sends or receives.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Remote))]
[JsonSerializable(typeof(Repository))]
[JsonSerializable(typeof(Distribution))]
[JsonSerializable(typeof(Promotion))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(TokenReview))]
[JsonSerializable(typeof(SubjectAccessReview))]
[JsonSerializable(typeof(CustomResourceDefinition))]
// The list types (RemoteList, SecretList, …) are one generic shape.
[JsonSerializable(typeof(KubernetesList<Remote>))]
[JsonSerializable(typeof(KubernetesList<Repository>))]
[JsonSerializable(typeof(KubernetesList<Distribution>))]
[JsonSerializable(typeof(KubernetesList<Promotion>))]
[JsonSerializable(typeof(KubernetesList<Secret>))]
[JsonSerializable(typeof(KubernetesList<Event>))]
[JsonSerializable(typeof(KubernetesList<Lease>))]
[JsonSerializable(typeof(KubernetesList<Namespace>))]
[JsonSerializable(typeof(KubernetesList<TokenReview>))]
[JsonSerializable(typeof(KubernetesList<SubjectAccessReview>))]
[JsonSerializable(typeof(KubernetesList<CustomResourceDefinition>))]
[JsonSerializable(typeof(WatchEvent<Remote>))]
[JsonSerializable(typeof(WatchEvent<Repository>))]
[JsonSerializable(typeof(WatchEvent<Distribution>))]
[JsonSerializable(typeof(WatchEvent<Promotion>))]
[JsonSerializable(typeof(WatchEvent<Secret>))]
[JsonSerializable(typeof(WatchEvent<Event>))]
[JsonSerializable(typeof(WatchEvent<Lease>))]
[JsonSerializable(typeof(WatchEvent<Namespace>))]
[JsonSerializable(typeof(WatchEvent<TokenReview>))]
[JsonSerializable(typeof(WatchEvent<SubjectAccessReview>))]
[JsonSerializable(typeof(WatchEvent<CustomResourceDefinition>))]
// ERROR watch events carry a Status instead of the watched kind.
[JsonSerializable(typeof(WatchEvent<Status>))]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(DeleteOptions))]
[JsonSerializable(typeof(ExecCredential))]
// core/v1 Events (the operator's event recorder), apart from events.k8s.io/v1 Event.
[JsonSerializable(typeof(CoreEvent))]
[JsonSerializable(typeof(KubernetesList<CoreEvent>))]
[JsonSerializable(typeof(WatchEvent<CoreEvent>))]
internal sealed partial class KubernetesJsonContext : JsonSerializerContext;
