using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Packyard.Api.Resources;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Syncs APT repositories: for each distribution, the signed InRelease (or Release + Release.gpg), then the best
/// Packages variant of each selected component and architecture, checked against the Release's SHA256, one unit
/// per package stanza.
/// </summary>
internal sealed class DebSyncSource : ISyncSource
{
    /// <summary>Release files are small (Debian's is ~150 KB); anything far larger is hostile.</summary>
    private const long MaxReleaseBytes = 64L << 20;

    /// <summary>Longest line accepted in an index (the stanza limit bounds it too).</summary>
    private const int MaxControlLineLength = 1 << 20;

    /// <summary>Starts the upstream state; a change to what a sync derives from the same Release files changes it.</summary>
    private const string StateFormat = "deb-sync-1";

    public async IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = context.Remote.TypeOptions as DebRemoteOptions ?? new DebRemoteOptions();
        var keys = context.Remote.VerificationKeys is { Length: > 0 } keyBytes ? OpenPgp.LoadPublicKeys(keyBytes) : null;
        var distributions = options.Distributions is { Count: > 0 } given ? given : [DebContentType.DefaultDistribution];
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // Every Release first: verified, they list each index with its hash, so together they are the upstream's state. When
        // it is what the last successful sync saw, nothing upstream changed and no index needs to be read again.
        var releases = new List<(string Distribution, bool Flat, string Folder, ReleaseFile Release)>();
        using var state = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        state.AppendData(Encoding.UTF8.GetBytes(StateFormat));
        foreach (var distribution in distributions)
        {
            var flat = distribution.EndsWith('/');
            var folder = flat ? distribution.TrimEnd('/') is { Length: > 0 } f && f != "." ? f + "/" : "" : $"dists/{distribution}/";
            if (UpstreamPaths.Problem(folder.Length == 0 ? "Release" : folder + "Release") is { } problem)
            {
                throw new InvalidUpstreamMetadataException($"spec.deb.distributions: '{distribution}' is not a safe path: {problem}");
            }

            var (release, text) = await ReadReleaseAsync(context, folder, keys, cancellationToken);
            releases.Add((distribution, flat, folder, release));
            state.AppendData(Encoding.UTF8.GetBytes($"\0{distribution}\0{text}"));
        }

        context.UpstreamState = Convert.ToHexStringLower(state.GetHashAndReset());
        if (context.UpstreamUnchanged)
        {
            yield break;
        }

        foreach (var (distribution, flat, folder, release) in releases)
        {
            var publishedName = flat ? DebContentType.DefaultDistribution : distribution;
            foreach (var index in SelectIndices(release, options, flat))
            {
                await foreach (var stanza in ReadIndexAsync(context, release, folder, index.Path, cancellationToken))
                {
                    var unit = ToUnit(context, stanza.Stanza, stanza.SourceName, folder, publishedName, index.Component, flat);
                    if (seen.Add(unit.NaturalKey))
                    {
                        yield return unit;
                    }
                }
            }

            if (options.Sources)
            {
                foreach (var index in SelectSourceIndices(release, options, flat))
                {
                    await foreach (var stanza in ReadIndexAsync(context, release, folder, index.Path, cancellationToken))
                    {
                        var unit = DebSourcePackage.ToUnit(context, stanza.Stanza, stanza.SourceName, folder, publishedName, index.Component, flat);
                        if (seen.Add(unit.NaturalKey))
                        {
                            yield return unit;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The Sources indices to read: one per selected component.</summary>
    private static IEnumerable<(string Path, string Component)> SelectSourceIndices(ReleaseFile release, DebRemoteOptions options, bool flat) =>
        flat
            ? [("Sources", DebContentType.DefaultComponent)]
            : (options.Components is { Count: > 0 } c ? release.Components.Where(c.Contains) : release.Components)
                .Select(component => ($"{component}/source/Sources", component));

    private static async Task<(ReleaseFile Release, string Text)> ReadReleaseAsync(SyncContext context, string folder, PgpPublicKeyRingBundle? keys, CancellationToken cancellationToken)
    {
        string text;
        var inReleasePath = folder + "InRelease";
        var inRelease = await TryReadAsync(context, inReleasePath, cancellationToken);
        string sourceName;
        if (inRelease is not null)
        {
            sourceName = inReleasePath;
            var message = Encoding.UTF8.GetString(inRelease);
            text = message.TrimStart().StartsWith("-----BEGIN PGP SIGNED MESSAGE-----", StringComparison.Ordinal) || keys is not null
                ? OpenPgp.VerifyClearSigned(message, keys, Url(context, inReleasePath))
                : message;
        }
        else
        {
            var releasePath = folder + "Release";
            sourceName = releasePath;
            var release = await TryReadAsync(context, releasePath, cancellationToken)
                ?? throw new ReleaseFileNotFoundException(
                    $"neither {Url(context, inReleasePath)} nor {Url(context, releasePath)} exists: check the Remote's url and spec.deb.distributions");
            if (keys is not null)
            {
                var signaturePath = folder + "Release.gpg";
                var signature = await TryReadAsync(context, signaturePath, cancellationToken)
                    ?? throw new SignatureVerificationException(
                        $"{Url(context, releasePath)} is not signed ({Url(context, signaturePath)} is missing) but spec.deb.signingKeySecretRef requires a signature");
                OpenPgp.VerifyDetached(release, signature, keys, Url(context, signaturePath));
            }

            text = Encoding.UTF8.GetString(release);
        }

        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var stanza = await ControlFileReader.ReadSingleAsync(stream, sourceName, new ControlFileLimits(MaxStanzaBytes: (int)MaxReleaseBytes), cancellationToken);
        return (ReleaseFile.Parse(stanza, sourceName), text);
    }

    /// <summary>The Packages indices to read: (path without suffix, component) for the selected components and architectures.</summary>
    private static IEnumerable<(string Path, string Component)> SelectIndices(ReleaseFile release, DebRemoteOptions options, bool flat)
    {
        if (flat)
        {
            yield return ("Packages", DebContentType.DefaultComponent);
            yield break;
        }

        var components = options.Components is { Count: > 0 } c ? release.Components.Where(c.Contains) : release.Components;
        var listed = release.Architectures.Append("all").Distinct(StringComparer.Ordinal);
        var architectures = options.Architectures is { Count: > 0 } a ? listed.Where(a.Contains) : listed;
        foreach (var component in components)
        {
            foreach (var architecture in architectures)
            {
                yield return ($"{component}/binary-{architecture}/Packages", component);
            }
        }
    }

    /// <summary>
    /// The stanzas of one index (Packages or Sources, <paramref name="indexPath"/> without suffix): the best variant the
    /// Release lists and the upstream serves (by hash when it offers that), checked against the Release's SHA256 and size.
    /// </summary>
    private static async IAsyncEnumerable<(ControlStanza Stanza, string SourceName)> ReadIndexAsync(SyncContext context, ReleaseFile release, string folder,
        string indexPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        UpstreamResponse? response = null;
        string? suffix = null;
        IndexEntry? entry = null;
        foreach (var candidate in DebCompression.ReadableSuffixes)
        {
            if (!release.Sha256.TryGetValue(indexPath + candidate, out entry))
            {
                continue;
            }

            if (release.AcquireByHash)
            {
                var directory = indexPath[..(indexPath.LastIndexOf('/') + 1)];
                response = await context.Upstream.TryOpenAsync(context.Remote.Resolve($"{folder}{directory}by-hash/SHA256/{entry.Sha256}"), cancellationToken);
            }

            response ??= await context.Upstream.TryOpenAsync(context.Remote.Resolve(folder + indexPath + candidate), cancellationToken);
            if (response is not null)
            {
                suffix = candidate;
                break;
            }
        }

        if (response is null || entry is null || suffix is null)
        {
            // The Release lists no readable variant (an architecture without packages), or none is served.
            yield break;
        }

        var sourceName = Url(context, folder + indexPath + suffix);
        await using (response)
        {
            var verifying = new VerifyingReadStream(response.Body, HashAlgorithmName.SHA256, entry.Sha256, entry.Size, sourceName, "the signed Release");
            await using var plain = DebCompression.OpenRead(verifying, suffix, context.Limits.MaxDecompressedBytes, sourceName);
            // Real Packages files have lines far past generic line limits (librust-winapi-dev's Provides is 75 KB in
            // bookworm); a line is bounded by the stanza size instead.
            var limits = new ControlFileLimits(MaxLineLength: Math.Max(context.Limits.MaxLineLength, MaxControlLineLength), MaxTotalBytes: context.Limits.MaxDecompressedBytes);
            await foreach (var stanza in ControlFileReader.ReadAsync(plain, sourceName, limits, cancellationToken))
            {
                yield return (stanza, sourceName);
            }

            await verifying.DrainAndVerifyAsync(cancellationToken);
        }
    }

    private static DeclaredContent ToUnit(SyncContext context, ControlStanza stanza, string sourceName, string folder, string distribution, string component, bool flat)
    {
        var package = Required(stanza, "Package", sourceName);
        var version = Required(stanza, "Version", sourceName);
        var architecture = Required(stanza, "Architecture", sourceName);
        var filename = Required(stanza, "Filename", sourceName);
        if (flat && filename.StartsWith("./", StringComparison.Ordinal))
        {
            filename = filename[2..]; // apt-ftparchive packages . writes ./name.deb in flat repositories
        }

        var sha256 = Required(stanza, "SHA256", sourceName).ToLowerInvariant();
        if (DebianVersion.TryParse(version, out var versionError) is null)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: package {package} has invalid Version '{version}': {versionError}");
        }

        if (!Digests.IsSha256(sha256))
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: package {package} {version}: SHA256 '{sha256}' is not a sha256 digest");
        }

        if (UpstreamPaths.Problem(filename) is { } problem)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: package {package} {version}: unsafe Filename '{filename}': {problem}");
        }

        long? size = long.TryParse(stanza["Size"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;
        var fileName = filename[(filename.LastIndexOf('/') + 1)..];
        var poolPath = DebContentType.PoolPath(component, DebContentType.SourceName(stanza, package), fileName);
        if (UpstreamPaths.Problem(poolPath) is { } poolProblem)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: package {package} {version}: unsafe pool path '{poolPath}': {poolProblem}");
        }

        stanza.Set("Filename", poolPath);
        var url = context.Remote.Resolve(flat ? folder + filename : filename);
        var metadata = DebContentType.MetadataJson(DebContentType.Metadata(distribution, component, stanza));
        return new DeclaredContent(
            DebContentType.NaturalKey(package, version, architecture, sha256, distribution, component),
            DebContentType.RepoKey(package, version, architecture, distribution, component),
            package, version, metadata,
            [new DeclaredArtifact(poolPath, sha256, size, url)]);
    }

    internal static string Required(ControlStanza stanza, string field, string sourceName) =>
        stanza[field] is { Length: > 0 } value && !value.Contains('\n', StringComparison.Ordinal)
            ? value
            : throw new InvalidUpstreamMetadataException($"{sourceName}: stanza of package '{stanza["Package"] ?? "?"}' has no valid {field} field");

    private static async Task<byte[]?> TryReadAsync(SyncContext context, string path, CancellationToken cancellationToken)
    {
        await using var response = await context.Upstream.TryOpenAsync(context.Remote.Resolve(path), cancellationToken);
        if (response is null)
        {
            return null;
        }

        var limit = Math.Min(MaxReleaseBytes, context.Limits.MaxMetadataBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await response.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidUpstreamMetadataException($"{Url(context, path)} is larger than {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    internal static string Url(SyncContext context, string path) => UrlSanitizer.Sanitize(context.Remote.Resolve(path).ToString());
}
