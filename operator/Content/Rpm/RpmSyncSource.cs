using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Packyard.Api.Resources;
using Packyard.Plugins;
using Packyard.Plugins.Compression;

namespace Packyard.Content.Rpm;

/// <summary>
/// Syncs yum/dnf repositories: <c>repodata/repomd.xml</c> (its detached <c>repomd.xml.asc</c> verified when the Remote
/// names keys), then filelists and other spooled to disk by package id, then primary streamed, one unit per package with
/// its three XML entries; updateinfo, comps and modules become units of their own, carried through unchanged. Every
/// metadata file is checked against repomd.xml's checksum and size; packages against primary's sha256.
/// </summary>
internal sealed class RpmSyncSource : ISyncSource
{
    /// <summary>repomd.xml is small (Fedora's is ~10 KB); anything far larger is hostile.</summary>
    private const long MaxRepomdBytes = 16L << 20;

    public async IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = context.Remote.TypeOptions as RpmRemoteOptions ?? new RpmRemoteOptions();
        var skipSources = options.SkipTypes?.Contains("srpm", StringComparer.OrdinalIgnoreCase) ?? false;
        var keys = context.Remote.VerificationKeys is { Length: > 0 } keyBytes ? OpenPgp.LoadPublicKeys(keyBytes) : null;
        var repomd = await ReadRepomdAsync(context, keys, cancellationToken).ConfigureAwait(false);
        if (context.UpstreamUnchanged)
        {
            // repomd.xml names every metadata file by checksum: the same verified repomd.xml is the same upstream.
            yield break;
        }

        await using var filelists = new FragmentSpool();
        await using var other = new FragmentSpool();
        await SpoolAsync(context, Required(context, repomd, "filelists"), filelists, cancellationToken).ConfigureAwait(false);
        await SpoolAsync(context, Required(context, repomd, "other"), other, cancellationToken).ConfigureAwait(false);

        var primary = Required(context, repomd, "primary");
        var sourceName = Url(context, primary.Href);
        var count = 0L;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var response = await OpenMetadataAsync(context, primary, cancellationToken).ConfigureAwait(false);
        await using (response.ConfigureAwait(false))
        {
            using var verifying = Verifying(context, response, primary);
            var plain = Decompression.Open(verifying, Decompression.FromFileName(primary.Href), context.Limits.MaxDecompressedBytes, sourceName);
            await using (plain.ConfigureAwait(false))
            {
                using var reader = RpmXml.CreateReader(plain);
                var entry = new StringBuilder();
                while (true)
                {
                    PrimaryEntry? package;
                    try
                    {
                        package = await NextPrimaryEntryAsync(reader, entry, sourceName, cancellationToken).ConfigureAwait(false);
                    }
                    catch (XmlException e)
                    {
                        throw RpmXml.Invalid(sourceName, e);
                    }

                    if (package is null)
                    {
                        break;
                    }

                    if (++count > context.Limits.MaxUnits)
                    {
                        throw new InvalidUpstreamMetadataException($"{sourceName} lists more than {context.Limits.MaxUnits} packages");
                    }

                    if ((skipSources && package.Identity.Arch is "src" or "nosrc")
                        || (context.Names is { } names && !names.Contains(package.Identity.Name))
                        || !seen.Add(package.Pkgid))
                    {
                        continue;
                    }

                    var files = await filelists.FindAsync(package.Pkgid, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidUpstreamMetadataException($"{Url(context, repomd.Find("filelists")!.Href)} has no entry for package {package.Identity.Name} (pkgid {package.Pkgid}) of primary.xml");
                    var changes = await other.FindAsync(package.Pkgid, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidUpstreamMetadataException($"{Url(context, repomd.Find("other")!.Href)} has no entry for package {package.Identity.Name} (pkgid {package.Pkgid}) of primary.xml");
                    var metadata = new RpmUnitMetadata(RpmUnitMetadata.PackageKind, package.Pkgid, entry.ToString(), files, changes);
                    yield return new DeclaredContent(
                        RpmContentType.NaturalKey(package.Identity, package.Pkgid),
                        RpmContentType.RepoKey(package.Identity),
                        package.Identity.Name, package.Identity.Evr, RpmContentType.MetadataJson(metadata),
                        [new DeclaredArtifact(package.Path, package.Pkgid, package.Size, context.Remote.Resolve(package.Href))]);
                }

                await verifying.DrainAndVerifyAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (context.Names is null)
        {
            foreach (var data in repomd.Data.Where(d => RpmContentType.CarriedTypes.Contains(d.Type)))
            {
                yield return await CarryAsync(context, data, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed record PrimaryEntry(PackageIdentity Identity, string Pkgid, long? Size, string Href, string Path);

    /// <summary>Reads the next <c>&lt;package&gt;</c> of primary.xml into <paramref name="entry"/> (its location rewritten to Packages/); null at the end.</summary>
    private static async Task<PrimaryEntry?> NextPrimaryEntryAsync(XmlReader reader, StringBuilder entry, string sourceName, CancellationToken cancellationToken)
    {
        while (reader.NodeType != XmlNodeType.Element || reader.Depth != 1 || reader.LocalName != "package")
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == 0 && reader.LocalName != "metadata")
            {
                throw new InvalidUpstreamMetadataException($"{sourceName} is not a primary.xml (root element '{reader.Name}')");
            }

            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                return null;
            }
        }

        entry.Clear();
        string? name = null, arch = null, epoch = null, version = null, release = null, checksumType = null, checksum = null, href = null, path = null;
        long? size = null;
        await RpmXml.CopyElementAsync(reader, entry,
            (depth, element) =>
            {
                if (depth != 1)
                {
                    return null;
                }

                switch (element.LocalName)
                {
                    case "version":
                        (epoch, version, release) = (element.GetAttribute("epoch") ?? "0", element.GetAttribute("ver"), element.GetAttribute("rel"));
                        break;
                    case "checksum":
                        checksumType = element.GetAttribute("type");
                        break;
                    case "size":
                        size = long.TryParse(element.GetAttribute("package"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;
                        break;
                    case "location":
                        href = element.GetAttribute("href") ?? "";
                        if (element.GetAttribute("xml:base") is { Length: > 0 } xmlBase)
                        {
                            throw new InvalidUpstreamMetadataException($"{sourceName}: location xml:base '{xmlBase}' (packages on another server) is not supported");
                        }

                        if (UpstreamPaths.Problem(href) is { } problem)
                        {
                            throw new InvalidUpstreamMetadataException($"{sourceName}: unsafe location href '{href}': {problem}");
                        }

                        var fileName = href[(href.LastIndexOf('/') + 1)..];
                        path = RpmContentType.PackagePath(fileName);
                        return new Dictionary<string, string?> { ["href"] = path, ["xml:base"] = null };
                }

                return null;
            },
            (depth, parent, text) =>
            {
                if (depth == 1)
                {
                    switch (parent)
                    {
                        case "name": name = text.Trim(); break;
                        case "arch": arch = text.Trim(); break;
                        case "checksum": checksum = text.Trim().ToLowerInvariant(); break;
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);

        if (name is not { Length: > 0 } || arch is not { Length: > 0 } || version is null || release is null || href is null || path is null || checksum is null)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: package '{name ?? "?"}' lacks a name, arch, version, checksum or location");
        }

        if (!string.Equals(checksumType, "sha256", StringComparison.OrdinalIgnoreCase) || !Digests.IsSha256(checksum))
        {
            throw new InvalidUpstreamMetadataException(
                $"{sourceName}: package {name} has a '{checksumType}' checksum; Packyard needs sha256 package checksums (createrepo_c's default)");
        }

        if ((UpstreamPaths.Problem(path) ?? (name.Contains('/', StringComparison.Ordinal) ? "the name contains '/'" : null)) is { } pathProblem)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: package {name}: unsafe path '{path}': {pathProblem}");
        }

        return new PrimaryEntry(new PackageIdentity(name, epoch ?? "0", version, release, arch), checksum, size, href, path);
    }

    /// <summary>Spools the <c>&lt;package pkgid=…&gt;</c> entries of filelists.xml or other.xml.</summary>
    private static async Task SpoolAsync(SyncContext context, RepoDataEntry data, FragmentSpool spool, CancellationToken cancellationToken)
    {
        var sourceName = Url(context, data.Href);
        var response = await OpenMetadataAsync(context, data, cancellationToken).ConfigureAwait(false);
        await using (response.ConfigureAwait(false))
        {
            using var verifying = Verifying(context, response, data);
            var plain = Decompression.Open(verifying, Decompression.FromFileName(data.Href), context.Limits.MaxDecompressedBytes, sourceName);
            await using (plain.ConfigureAwait(false))
            {
                try
                {
                    using var reader = RpmXml.CreateReader(plain);
                    var entry = new StringBuilder();
                    var more = await reader.ReadAsync().ConfigureAwait(false);
                    while (more)
                    {
                        if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && reader.LocalName == "package")
                        {
                            var pkgid = reader.GetAttribute("pkgid")?.ToLowerInvariant()
                                ?? throw new InvalidUpstreamMetadataException($"{sourceName}: a <package> has no pkgid");
                            entry.Clear();
                            await RpmXml.CopyElementAsync(reader, entry, null, null, cancellationToken).ConfigureAwait(false);
                            await spool.AddAsync(pkgid, entry.ToString(), cancellationToken).ConfigureAwait(false);
                            more = !reader.EOF;
                            continue;
                        }

                        more = await reader.ReadAsync().ConfigureAwait(false);
                    }
                }
                catch (XmlException e)
                {
                    throw RpmXml.Invalid(sourceName, e);
                }

                await verifying.DrainAndVerifyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A repository-wide metadata file (updateinfo, comps, modules) as a unit: checked, and its digests taken for repomd.xml.</summary>
    private static async Task<DeclaredContent> CarryAsync(SyncContext context, RepoDataEntry data, CancellationToken cancellationToken)
    {
        var sourceName = Url(context, data.Href);
        var response = await OpenMetadataAsync(context, data, cancellationToken).ConfigureAwait(false);
        string openSha256;
        long openSize = 0;
        VerifyingReadStream verifying;
        await using (response.ConfigureAwait(false))
        {
            verifying = Verifying(context, response, data);
            using (verifying)
            {
                using var openHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var plain = Decompression.Open(verifying, Decompression.FromFileName(data.Href), context.Limits.MaxDecompressedBytes, sourceName);
                await using (plain.ConfigureAwait(false))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await plain.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        openHash.AppendData(buffer, 0, read);
                        openSize += read;
                    }

                    await verifying.DrainAndVerifyAsync(cancellationToken).ConfigureAwait(false);
                }

                openSha256 = Convert.ToHexStringLower(openHash.GetHashAndReset());
            }
        }

        var (sha256, size) = verifying.Observed!.Value;
        var fileName = data.Href[(data.Href.LastIndexOf('/') + 1)..];
        var extension = fileName.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? fileName[dot..] : "";
        var path = $"repodata/{sha256}-{data.Type}{extension}";
        var metadata = new RpmUnitMetadata(RpmUnitMetadata.RepodataKind, Type: data.Type, Size: size, OpenSha256: openSha256, OpenSize: openSize);
        return new DeclaredContent($"repodata\n{data.Type}\n{sha256}", RpmContentType.MetadataRepoKey(data.Type), "repodata:" + data.Type, null,
            RpmContentType.MetadataJson(metadata), [new DeclaredArtifact(path, sha256, size, context.Remote.Resolve(data.Href))]);
    }

    private static async Task<RepoMetadata> ReadRepomdAsync(SyncContext context, PgpPublicKeyRingBundle? keys, CancellationToken cancellationToken)
    {
        const string repomdPath = "repodata/repomd.xml";
        var repomd = await TryReadAsync(context, repomdPath, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidUpstreamMetadataException(
                $"{Url(context, repomdPath)} does not exist: check the Remote's url (the folder that holds repodata/)");
        if (keys is not null)
        {
            const string signaturePath = repomdPath + ".asc";
            var signature = await TryReadAsync(context, signaturePath, cancellationToken).ConfigureAwait(false)
                ?? throw new SignatureVerificationException(
                    $"{Url(context, repomdPath)} is not signed ({Url(context, signaturePath)} is missing) but spec.rpm.signingKeySecretRef requires a signature");
            OpenPgp.VerifyDetached(repomd, signature, keys, Url(context, signaturePath));
        }

        context.UpstreamState = Convert.ToHexStringLower(SHA256.HashData(repomd));
        using var input = new MemoryStream(repomd);
        return await RepoMetadata.ParseAsync(input, Url(context, repomdPath), cancellationToken).ConfigureAwait(false);
    }

    private static RepoDataEntry Required(SyncContext context, RepoMetadata repomd, string type) =>
        repomd.Find(type) ?? throw new InvalidUpstreamMetadataException($"{Url(context, "repodata/repomd.xml")} lists no '{type}' metadata");

    private static async Task<UpstreamResponse> OpenMetadataAsync(SyncContext context, RepoDataEntry data, CancellationToken cancellationToken)
    {
        if (UpstreamPaths.Problem(data.Href) is { } problem)
        {
            throw new InvalidUpstreamMetadataException($"{Url(context, "repodata/repomd.xml")}: unsafe location '{data.Href}' of {data.Type}: {problem}");
        }

        if (data.Size > context.Limits.MaxMetadataBytes)
        {
            throw new InvalidUpstreamMetadataException($"{Url(context, data.Href)} is {data.Size} bytes, more than the {context.Limits.MaxMetadataBytes} allowed");
        }

        return await context.Upstream.OpenAsync(context.Remote.Resolve(data.Href), cancellationToken).ConfigureAwait(false);
    }

    private static VerifyingReadStream Verifying(SyncContext context, UpstreamResponse response, RepoDataEntry data) =>
        new(response.Body,
            VerifyingReadStream.Algorithm(data.ChecksumType) ?? throw new InvalidUpstreamMetadataException(
                $"{Url(context, data.Href)}: checksum type '{data.ChecksumType}' is not supported (use sha256 or sha512)"),
            data.Checksum, data.Size, Url(context, data.Href), "repomd.xml");

    private static async Task<byte[]?> TryReadAsync(SyncContext context, string path, CancellationToken cancellationToken)
    {
        var response = await context.Upstream.TryOpenAsync(context.Remote.Resolve(path), cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }

        await using (response.ConfigureAwait(false))
        {
            var limit = Math.Min(MaxRepomdBytes, context.Limits.MaxMetadataBytes);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await response.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new InvalidUpstreamMetadataException($"{Url(context, path)} is larger than {limit} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static string Url(SyncContext context, string path) => UrlSanitizer.Sanitize(context.Remote.Resolve(path).ToString());
}
