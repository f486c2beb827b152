using System.Globalization;
using System.Security.Cryptography;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// An uploaded .deb becomes a unit: its control file plus Filename (in the pool), Size, MD5sum, SHA1 and SHA256.
/// Form fields <c>distribution</c> (default stable) and <c>component</c> (default main) say where it is published.
/// </summary>
internal sealed class DebUploadParser : IUploadParser
{
    public async Task<DeclaredContent> ParseAsync(UploadContext context, CancellationToken cancellationToken)
    {
        var distribution = Field(context, "distribution", DebContentType.DefaultDistribution);
        var component = Field(context, "component", DebContentType.DefaultComponent);

        ControlStanza stanza;
        await using (var deb = await context.OpenAsync(cancellationToken))
        {
            stanza = await DebPackageReader.ReadControlAsync(deb, context.FileName, cancellationToken);
        }

        var package = Required(stanza, "Package", context.FileName);
        var version = Required(stanza, "Version", context.FileName);
        var architecture = Required(stanza, "Architecture", context.FileName);
        var parsed = DebianVersion.TryParse(version, out var error)
            ?? throw new InvalidUploadException($"{context.FileName}: Version '{version}' is invalid: {error}");
        if (package.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '+' or '-')) || architecture.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            throw new InvalidUploadException($"{context.FileName}: Package '{package}' or Architecture '{architecture}' has characters Debian does not allow");
        }

        var (md5, sha1) = await DigestsAsync(context, cancellationToken);
        var poolPath = DebContentType.PoolPath(component, DebContentType.SourceName(stanza, package), $"{package}_{parsed.WithoutEpoch}_{architecture}.deb");
        if (UpstreamPaths.Problem(poolPath) is { } problem)
        {
            throw new InvalidUploadException($"{context.FileName}: pool path '{poolPath}' is not allowed: {problem}");
        }

        stanza.Remove("Filename");
        stanza.Remove("Size");
        stanza.Remove("MD5sum");
        stanza.Remove("SHA1");
        stanza.Remove("SHA256");
        stanza.Set("Filename", poolPath);
        stanza.Set("Size", context.Artifact.Size.ToString(CultureInfo.InvariantCulture));
        stanza.Set("MD5sum", md5);
        stanza.Set("SHA1", sha1);
        stanza.Set("SHA256", context.Artifact.Sha256);

        return new DeclaredContent(
            DebContentType.NaturalKey(package, version, architecture, context.Artifact.Sha256, distribution, component),
            DebContentType.RepoKey(package, version, architecture, distribution, component),
            package, version, DebContentType.MetadataJson(DebContentType.Metadata(distribution, component, stanza)),
            [new DeclaredArtifact(poolPath, context.Artifact.Sha256, context.Artifact.Size, Url: null)]);
    }

    private static string Field(UploadContext context, string name, string fallback)
    {
        var value = context.Fields.TryGetValue(name, out var given) && !string.IsNullOrWhiteSpace(given) ? given.Trim() : fallback;
        return value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/') && UpstreamPaths.Problem(value) is null
            ? value
            : throw new InvalidUploadException($"form field {name} '{value}' is not a valid {name} name");
    }

    private static string Required(ControlStanza stanza, string field, string fileName) =>
        stanza[field] is { Length: > 0 } value && !value.Contains('\n', StringComparison.Ordinal)
            ? value
            : throw new InvalidUploadException($"{fileName}: control file has no {field} field");

    private static async Task<(string Md5, string Sha1)> DigestsAsync(UploadContext context, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        await using var input = await context.OpenAsync(cancellationToken);
        var buffer = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            sha1.AppendData(buffer, 0, read);
        }

        return (Convert.ToHexStringLower(md5.GetHashAndReset()), Convert.ToHexStringLower(sha1.GetHashAndReset()));
    }
}
