using System.Text.Json.Serialization;

namespace Packyard.Api.Resources;

/// <summary>
/// A Remote's type block (<c>spec.file</c>, <c>spec.python</c>, …): the options the content type of <c>spec.type</c> reads
/// when it syncs, exactly as the user wrote them. <see cref="RemoteSpec.TypeOptions"/> gives the block of a spec; stored
/// (<c>remotes.config</c>), it is written by <see cref="TypeOptionsJsonContext"/> with the type name as discriminator.
/// </summary>
[JsonPolymorphic]
[JsonDerivedType(typeof(FileRemoteOptions), "file")]
[JsonDerivedType(typeof(PythonRemoteOptions), "python")]
[JsonDerivedType(typeof(DebRemoteOptions), "deb")]
[JsonDerivedType(typeof(RpmRemoteOptions), "rpm")]
[JsonDerivedType(typeof(ContainerRemoteOptions), "container")]
public abstract class RemoteTypeOptions;
