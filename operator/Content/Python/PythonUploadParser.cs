using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>
/// A twine upload (legacy API: <c>:action=file_upload</c>, file part <c>content</c>). Name and version come from the
/// METADATA of the wheel or the PKG-INFO of the sdist, read from the stored archive (streamed, bounded); they must
/// agree with the file name and with the form's <c>name</c>/<c>version</c>/<c>sha256_digest</c> when sent. A file
/// name already in the repository with other content is refused with 409.
/// </summary>
internal sealed class PythonUploadParser : IUploadParser
{
    public async Task<DeclaredContent> ParseAsync(UploadContext context, CancellationToken cancellationToken)
    {
        if (context.Fields.TryGetValue(":action", out var action) && action != "file_upload")
        {
            throw new InvalidUploadException($":action '{action}' is not supported; only file_upload is");
        }

        var fileName = context.FileName;
        if (PythonContentType.FileNameProblem(fileName) is { } problem)
        {
            throw new InvalidUploadException($"file name '{fileName}' is refused: {problem}");
        }

        var parsed = DistributionFileName.TryParse(fileName, context.Fields.GetValueOrDefault("name"), out var nameError)
            ?? throw new InvalidUploadException(nameError!);
        var artifact = context.Artifact;
        if (context.Fields.TryGetValue("sha256_digest", out var digest) && digest.Length > 0 && !string.Equals(digest, artifact.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidUploadException($"sha256_digest {digest} does not match the uploaded file ({artifact.Sha256})");
        }

        var (metadata, text) = await ReadMetadataAsync(context, parsed, cancellationToken);
        if (ProjectName.Normalize(metadata.Name) != parsed.Project)
        {
            throw new InvalidUploadException($"{fileName}: its metadata names project '{metadata.Name}', but the file name says '{parsed.Project}'");
        }

        if (!PythonVersion.TryParse(metadata.Version, out var version) || version != parsed.Version)
        {
            throw new InvalidUploadException($"{fileName}: its metadata says version '{metadata.Version}', but the file name says '{parsed.Version}'");
        }

        if (context.Fields.TryGetValue("name", out var formName) && formName.Length > 0 && ProjectName.Normalize(formName) != parsed.Project)
        {
            throw new InvalidUploadException($"form field name '{formName}' does not match the package's metadata ('{metadata.Name}')");
        }

        var naturalKey = PythonContentType.NaturalKey(fileName, artifact.Sha256);
        if (await context.FindCurrentNaturalKeyAsync(fileName, cancellationToken) is { } existing && existing != naturalKey)
        {
            throw new InvalidUploadException($"{fileName} already exists in this repository with different content; upload it under a new version", 409);
        }

        // A wheel's METADATA is kept with the unit and published beside it as <file>.metadata (PEP 658), so pip can
        // resolve without downloading the wheel. (pip reads it for wheels only; an sdist's PKG-INFO is not final metadata.)
        var wheel = parsed.PackageType == DistributionFileName.Wheel;
        var coreSha256 = wheel ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))) : null;
        var unitMetadata = new PythonFileMetadata(fileName, parsed.Project, version.Normalized, parsed.PackageType, metadata.RequiresPython,
            Yanked: false, YankedReason: null, coreSha256, artifact.Size, metadata.Summary, wheel ? text : null);
        return new DeclaredContent(naturalKey, fileName, parsed.Project, version.Normalized,
            JsonSerializer.Serialize(unitMetadata, PythonJsonContext.Default.PythonFileMetadata),
            [new DeclaredArtifact(PythonContentType.PackagePath(fileName), artifact.Sha256, artifact.Size, Url: null)]);
    }

    private static async Task<(CoreMetadata Metadata, string Text)> ReadMetadataAsync(UploadContext context, DistributionFileName parsed, CancellationToken cancellationToken)
    {
        var fileName = context.FileName;
        string? text;
        try
        {
            await using var stream = await context.OpenAsync(cancellationToken);
            text = parsed.PackageType == DistributionFileName.Wheel || fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
                ? await ReadFromZipAsync(stream, parsed.PackageType == DistributionFileName.Wheel, cancellationToken)
                : fileName.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
                    ? await ReadFromTarAsync(new GZipStream(stream, CompressionMode.Decompress), cancellationToken)
                    : throw new InvalidUploadException($"{fileName}: only wheels (.whl) and sdists (.tar.gz, .zip) are accepted");
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidUploadException($"{fileName} is not a readable {(parsed.PackageType == DistributionFileName.Wheel ? "zip" : "archive")}: {e.Message}");
        }

        if (text is null)
        {
            throw new InvalidUploadException(parsed.PackageType == DistributionFileName.Wheel
                ? $"{fileName} has no .dist-info/METADATA (or it is larger than {CoreMetadata.MaxBytes} bytes)"
                : $"{fileName} has no top-level PKG-INFO (or it is larger than {CoreMetadata.MaxBytes} bytes)");
        }

        return (CoreMetadata.TryParse(text, out var error) ?? throw new InvalidUploadException($"{fileName}: its metadata is unusable: {error}"), text);
    }

    private static async Task<string?> ReadFromZipAsync(Stream stream, bool wheel, CancellationToken cancellationToken)
    {
        Stream seekable = stream;
        string? spool = null;
        try
        {
            if (!stream.CanSeek)
            {
                spool = Path.Combine(Path.GetTempPath(), $"packyard-upload-{Guid.NewGuid():N}");
                seekable = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await stream.CopyToAsync(seekable, cancellationToken);
                seekable.Position = 0;
            }

            await using var zip = await ZipArchive.CreateAsync(seekable, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            var entry = zip.Entries.FirstOrDefault(e => wheel
                ? e.FullName.EndsWith(".dist-info/METADATA", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1
                : e.FullName.EndsWith("/PKG-INFO", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1);
            if (entry is null || entry.Length > CoreMetadata.MaxBytes)
            {
                return null;
            }

            await using var content = await entry.OpenAsync(cancellationToken);
            return await CoreMetadata.ReadBoundedAsync(content, cancellationToken);
        }
        finally
        {
            if (spool is not null)
            {
                await seekable.DisposeAsync();
            }
        }
    }

    private static async Task<string?> ReadFromTarAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using var tar = new TarReader(stream);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                && name.EndsWith("/PKG-INFO", StringComparison.Ordinal) && name.Count(c => c == '/') == 1)
            {
                return entry.DataStream is null || entry.Length > CoreMetadata.MaxBytes ? null : await CoreMetadata.ReadBoundedAsync(entry.DataStream, cancellationToken);
            }
        }

        return null;
    }
}
