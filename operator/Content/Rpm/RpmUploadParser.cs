using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>
/// An uploaded .rpm becomes a package unit: its headers (lead, signature, main header; never the payload) give the
/// primary, filelists and other entries createrepo_c would write: identity, texts, sizes, header range, dependencies
/// with flags and versions (rpmlib() requirements left out), files (primary keeps /etc/, */bin/ and /usr/lib/sendmail)
/// and the newest ten changelog entries.
/// </summary>
internal sealed class RpmUploadParser : IUploadParser
{
    /// <summary>Headers of real packages with many files reach a few MB; anything far larger is refused.</summary>
    private const int MaxHeaderBytes = 64 << 20;

    private const int ChangelogLimit = 10;

    public async Task<DeclaredContent> ParseAsync(UploadContext context, CancellationToken cancellationToken)
    {
        RpmHeader header;
        var input = await context.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            header = await RpmHeader.ReadAsync(input, context.FileName, MaxHeaderBytes, cancellationToken).ConfigureAwait(false);
            await VerifyPayloadAsync(context, header, input, cancellationToken).ConfigureAwait(false);
        }

        var name = Required(header, RpmTags.Name, "Name", context.FileName);
        var version = Required(header, RpmTags.Version, "Version", context.FileName);
        var release = Required(header, RpmTags.Release, "Release", context.FileName);
        var arch = header.Has(RpmTags.SourcePackage) ? "src" : Required(header, RpmTags.Arch, "Arch", context.FileName);
        var epoch = header.Number(RpmTags.Epoch)?.ToString(CultureInfo.InvariantCulture) ?? "0";
        var identity = new PackageIdentity(name, epoch, version, release, arch);
        var fileName = $"{name}-{version}-{release}.{arch}.rpm";
        if (name.Any(c => c is '/' or '\\' || char.IsControl(c) || char.IsWhiteSpace(c)) || UpstreamPaths.Problem(RpmContentType.PackagePath(fileName)) is not null)
        {
            throw new InvalidUploadException($"{context.FileName}: package name '{name}' or file name '{fileName}' is not allowed");
        }

        var path = RpmContentType.PackagePath(fileName);
        var sha256 = context.Artifact.Sha256;
        var files = Files(header);
        var metadata = new RpmUnitMetadata(RpmUnitMetadata.PackageKind, sha256,
            Primary(header, identity, sha256, context.Artifact.Size, path, files),
            Filelists(identity, sha256, files),
            Other(header, identity, sha256));
        return new DeclaredContent(RpmContentType.NaturalKey(identity, sha256), RpmContentType.RepoKey(identity), name, identity.Evr,
            RpmContentType.MetadataJson(metadata), [new DeclaredArtifact(path, sha256, context.Artifact.Size, Url: null)]);
    }

    /// <summary>
    /// Checks the whole package, not only its headers: the size the signature header gives for header and payload,
    /// and the payload digest the main header gives (rpm 4.14 and later), else the signature's MD5 of header and
    /// payload. <paramref name="afterHeader"/> is positioned at the payload's first byte.
    /// </summary>
    private static async Task VerifyPayloadAsync(UploadContext context, RpmHeader header, Stream afterHeader, CancellationToken cancellationToken)
    {
        var fileName = context.FileName;
        if ((header.Signature.Number(RpmTags.SignatureLongSize) ?? header.Signature.Number(RpmTags.SignatureSize)) is { } declared
            && header.Start + declared != context.Artifact.Size)
        {
            throw new InvalidUploadException(
                $"{fileName} is {context.Artifact.Size} bytes, but its signature header says {header.Start + declared}: the package is cut or has extra bytes");
        }

        if (header.Strings(RpmTags.PayloadDigest) is [var expected, ..])
        {
            var algorithm = (header.Number(RpmTags.PayloadDigestAlgorithm) ?? 1) switch
            {
                1 => HashAlgorithmName.MD5,
                2 => HashAlgorithmName.SHA1,
                8 => HashAlgorithmName.SHA256,
                9 => HashAlgorithmName.SHA384,
                10 => HashAlgorithmName.SHA512,
                var other => throw new InvalidUploadException($"{fileName}: the rpm header names payload digest algorithm {other}, which Packyard does not know"),
            };
            var actual = await HashAsync(afterHeader, algorithm, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidUploadException($"{fileName}: its payload does not match the payload digest in its header ({algorithm.Name} {expected}): the package is cut or corrupt");
            }

            return;
        }

        if (header.Signature.Binary(RpmTags.SignatureMd5) is { Length: 16 } md5)
        {
            var whole = await context.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (whole.ConfigureAwait(false))
            {
                await whole.ReadExactlyAsync(new byte[header.Start], cancellationToken).ConfigureAwait(false);
                if (!string.Equals(await HashAsync(whole, HashAlgorithmName.MD5, cancellationToken).ConfigureAwait(false), Convert.ToHexStringLower(md5), StringComparison.Ordinal))
                {
                    throw new InvalidUploadException($"{fileName}: its header and payload do not match the MD5 in its signature header: the package is cut or corrupt");
                }
            }
        }
    }

    private static async Task<string> HashAsync(Stream input, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        var buffer = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed record PackageFile(string Path, string? Type);

    private static List<PackageFile> Files(RpmHeader header)
    {
        var baseNames = header.Strings(RpmTags.BaseNames);
        var dirNames = header.Strings(RpmTags.DirNames);
        var dirIndexes = header.Numbers(RpmTags.DirIndexes);
        var modes = header.Numbers(RpmTags.FileModes);
        var flags = header.Numbers(RpmTags.FileFlags);
        var files = new List<PackageFile>(baseNames.Count);
        for (var i = 0; i < baseNames.Count && i < dirIndexes.Count && dirIndexes[i] < dirNames.Count; i++)
        {
            var type = i < flags.Count && (flags[i] & 0x40) != 0 ? "ghost"
                : i < modes.Count && (modes[i] & 0xF000) == 0x4000 ? "dir"
                : null;
            files.Add(new PackageFile(dirNames[(int)dirIndexes[i]] + baseNames[i], type));
        }

        return files;
    }

    private static bool IsPrimaryFile(string path) =>
        path.StartsWith("/etc/", StringComparison.Ordinal) || path.Contains("bin/", StringComparison.Ordinal) || path == "/usr/lib/sendmail";

    private static string Primary(RpmHeader header, PackageIdentity identity, string sha256, long size, string path, List<PackageFile> files)
    {
        var xml = new StringBuilder("<package type=\"rpm\">");
        Element(xml, "name", identity.Name);
        Element(xml, "arch", identity.Arch);
        VersionElement(xml, identity);
        xml.Append("<checksum type=\"sha256\" pkgid=\"YES\">").Append(sha256).Append("</checksum>");
        Element(xml, "summary", header.String(RpmTags.Summary) ?? "");
        Element(xml, "description", header.String(RpmTags.Description) ?? "");
        Element(xml, "packager", header.String(RpmTags.Packager) ?? "");
        Element(xml, "url", header.String(RpmTags.Url) ?? "");
        var buildTime = header.Number(RpmTags.BuildTime) ?? 0;
        xml.Append(CultureInfo.InvariantCulture, $"<time file=\"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\" build=\"{buildTime}\"/>");
        var installed = header.Number(RpmTags.LongSize) ?? header.Number(RpmTags.Size) ?? 0;
        var archive = header.Signature.Number(RpmTags.SignatureLongArchiveSize) ?? header.Signature.Number(RpmTags.SignaturePayloadSize) ?? 0;
        xml.Append(CultureInfo.InvariantCulture, $"<size package=\"{size}\" installed=\"{installed}\" archive=\"{archive}\"/>");
        xml.Append("<location");
        RpmXml.AppendAttribute(xml, "href", path);
        xml.Append("/><format>");
        Element(xml, "rpm:license", header.String(RpmTags.License) ?? "");
        Element(xml, "rpm:vendor", header.String(RpmTags.Vendor) ?? "");
        Element(xml, "rpm:group", header.String(RpmTags.Group) ?? "");
        Element(xml, "rpm:buildhost", header.String(RpmTags.BuildHost) ?? "");
        Element(xml, "rpm:sourcerpm", header.String(RpmTags.SourceRpm) ?? "");
        xml.Append(CultureInfo.InvariantCulture, $"<rpm:header-range start=\"{header.Start}\" end=\"{header.End}\"/>");
        Dependencies(xml, header, "provides", RpmTags.ProvideName, RpmTags.ProvideFlags, RpmTags.ProvideVersion, requires: false);
        Dependencies(xml, header, "requires", RpmTags.RequireName, RpmTags.RequireFlags, RpmTags.RequireVersion, requires: true);
        Dependencies(xml, header, "conflicts", RpmTags.ConflictName, RpmTags.ConflictFlags, RpmTags.ConflictVersion, requires: false);
        Dependencies(xml, header, "obsoletes", RpmTags.ObsoleteName, RpmTags.ObsoleteFlags, RpmTags.ObsoleteVersion, requires: false);
        Dependencies(xml, header, "suggests", RpmTags.SuggestName, RpmTags.SuggestFlags, RpmTags.SuggestVersion, requires: false);
        Dependencies(xml, header, "enhances", RpmTags.EnhanceName, RpmTags.EnhanceFlags, RpmTags.EnhanceVersion, requires: false);
        Dependencies(xml, header, "recommends", RpmTags.RecommendName, RpmTags.RecommendFlags, RpmTags.RecommendVersion, requires: false);
        Dependencies(xml, header, "supplements", RpmTags.SupplementName, RpmTags.SupplementFlags, RpmTags.SupplementVersion, requires: false);
        foreach (var file in files.Where(f => IsPrimaryFile(f.Path)))
        {
            FileElement(xml, file);
        }

        return xml.Append("</format></package>").ToString();
    }

    private static void Dependencies(StringBuilder xml, RpmHeader header, string element, int nameTag, int flagsTag, int versionTag, bool requires)
    {
        var names = header.Strings(nameTag);
        var flags = header.Numbers(flagsTag);
        var versions = header.Strings(versionTag);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new StringBuilder();
        for (var i = 0; i < names.Count; i++)
        {
            var flag = i < flags.Count ? flags[i] : 0;
            var version = i < versions.Count ? versions[i] : "";
            // rpmlib() capabilities are rpm's own (RPMSENSE_RPMLIB); createrepo_c leaves them out.
            if (requires && (names[i].StartsWith("rpmlib(", StringComparison.Ordinal) || (flag & 0x1000000) != 0))
            {
                continue;
            }

            var pre = requires && (flag & (0x40 | 0x200 | 0x400)) != 0;
            if (!seen.Add($"{names[i]}\n{flag & 0x0e}\n{version}\n{pre}"))
            {
                continue;
            }

            entries.Append("<rpm:entry");
            RpmXml.AppendAttribute(entries, "name", names[i]);
            if ((flag & 0x0e) != 0 && version.Length > 0)
            {
                var evr = RpmVersion.Parse(version);
                entries.Append(" flags=\"").Append((flag & 0x0e) switch { 2 => "LT", 4 => "GT", 8 => "EQ", 10 => "LE", 12 => "GE", _ => "EQ" }).Append('"');
                RpmXml.AppendAttribute(entries, "epoch", evr.Epoch ?? "0");
                RpmXml.AppendAttribute(entries, "ver", evr.Version);
                if (evr.Release is not null)
                {
                    RpmXml.AppendAttribute(entries, "rel", evr.Release);
                }
            }

            if (pre)
            {
                entries.Append(" pre=\"1\"");
            }

            entries.Append("/>");
        }

        if (entries.Length > 0)
        {
            xml.Append("<rpm:").Append(element).Append('>').Append(entries).Append("</rpm:").Append(element).Append('>');
        }
    }

    private static string Filelists(PackageIdentity identity, string sha256, List<PackageFile> files)
    {
        var xml = PackageStart(identity, sha256);
        foreach (var file in files)
        {
            FileElement(xml, file);
        }

        return xml.Append("</package>").ToString();
    }

    private static string Other(RpmHeader header, PackageIdentity identity, string sha256)
    {
        var xml = PackageStart(identity, sha256);
        var times = header.Numbers(RpmTags.ChangelogTime);
        var authors = header.Strings(RpmTags.ChangelogName);
        var texts = header.Strings(RpmTags.ChangelogText);
        var count = Math.Min(ChangelogLimit, Math.Min(times.Count, Math.Min(authors.Count, texts.Count)));
        // The header lists the newest entry first; other.xml lists the kept entries oldest first, as createrepo_c does.
        for (var i = count - 1; i >= 0; i--)
        {
            xml.Append("<changelog");
            RpmXml.AppendAttribute(xml, "author", authors[i]);
            xml.Append(CultureInfo.InvariantCulture, $" date=\"{times[i]}\">");
            RpmXml.Escape(xml, texts[i], attribute: false);
            xml.Append("</changelog>");
        }

        return xml.Append("</package>").ToString();
    }

    private static StringBuilder PackageStart(PackageIdentity identity, string sha256)
    {
        var xml = new StringBuilder("<package");
        RpmXml.AppendAttribute(xml, "pkgid", sha256);
        RpmXml.AppendAttribute(xml, "name", identity.Name);
        RpmXml.AppendAttribute(xml, "arch", identity.Arch);
        xml.Append('>');
        VersionElement(xml, identity);
        return xml;
    }

    private static void VersionElement(StringBuilder xml, PackageIdentity identity)
    {
        xml.Append("<version");
        RpmXml.AppendAttribute(xml, "epoch", identity.Epoch);
        RpmXml.AppendAttribute(xml, "ver", identity.Version);
        RpmXml.AppendAttribute(xml, "rel", identity.Release);
        xml.Append("/>");
    }

    private static void FileElement(StringBuilder xml, PackageFile file)
    {
        xml.Append("<file");
        if (file.Type is not null)
        {
            RpmXml.AppendAttribute(xml, "type", file.Type);
        }

        xml.Append('>');
        RpmXml.Escape(xml, file.Path, attribute: false);
        xml.Append("</file>");
    }

    private static void Element(StringBuilder xml, string name, string value)
    {
        xml.Append('<').Append(name).Append('>');
        RpmXml.Escape(xml, value, attribute: false);
        xml.Append("</").Append(name).Append('>');
    }

    private static string Required(RpmHeader header, int tag, string field, string fileName) =>
        header.String(tag) is { Length: > 0 } value
            ? value
            : throw new InvalidUploadException($"{fileName}: the rpm header has no {field}");
}
