using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Packyard.Api.Resources;
using Packyard.Plugins.Compression;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Publishes the APT layout: <c>dists/&lt;dist&gt;/{Release,InRelease,Release.gpg}</c> and per component and
/// architecture <c>Packages</c>, <c>Packages.gz</c>, <c>Packages.xz</c>, <c>Release</c> and (with byHash) <c>by-hash/SHA256/&lt;digest&gt;</c>.
/// With a signing key also <c>key.asc</c>; always <c>packyard.sources</c> (<see cref="DebSourcesFile"/>).
/// The pool is served pass-through at each artifact's relative path. Packages of architecture <c>all</c> are listed
/// in every architecture's index, as dak and apt-ftparchive do.
/// </summary>
internal sealed class DebPublisher : IPublisher
{
    private const string PlainText = "text/plain; charset=utf-8";

    /// <summary>The variants of each Packages file, in the order the Release lists them.</summary>
    private static readonly IndexVariant[] PackagesVariants = Variants("Packages");

    private static readonly IndexVariant[] SourcesVariants = Variants("Sources");

    public bool PassThrough => true;

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var options = context.Options.TypeOptions as DebPublishOptions ?? new DebPublishOptions();
        using var spool = new IndexSpool();
        await foreach (var unit in context.ReadContentAsync(cancellationToken))
        {
            var metadata = JsonSerializer.Deserialize(unit.MetadataJson, DebJsonContext.Default.DebUnitMetadata)
                ?? throw new InvalidOperationException($"unit {unit.Id} has no deb metadata");
            var stanza = metadata.ToStanza();
            var architecture = metadata.Source == true ? DebSourcePackage.Architecture : stanza["Architecture"] ?? "all";
            var text = new StringBuilder();
            stanza.WriteTo(text);
            text.Append('\n');
            await spool.AppendAsync(metadata.Distribution, metadata.Component, architecture, text.ToString(), cancellationToken);
        }

        spool.Complete();
        if (spool.Distributions.Count == 0)
        {
            spool.Touch(DebContentType.DefaultDistribution, DebContentType.DefaultComponent);
        }

        foreach (var (distribution, layout) in spool.Distributions.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            await PublishDistributionAsync(context, options, spool, distribution, layout, cancellationToken);
        }

        foreach (var distribution in spool.Distributions.Keys)
        {
            ServeUnderSuite(context, options, spool, distribution);
        }

        var publicKey = context.Options.SigningKey is { } signingKey ? OpenPgp.ExportPublicKey(signingKey) : null;
        if (publicKey is not null)
        {
            var armored = Encoding.ASCII.GetBytes(publicKey);
            await context.AddFileAsync(DebSourcesFile.PublicKeyPath, "application/pgp-keys", (output, token) => output.WriteAsync(armored, token).AsTask(), cancellationToken);
        }

        var sources = Encoding.UTF8.GetBytes(DebSourcesFile.Write(
            spool.Distributions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value)), publicKey));
        await context.AddFileAsync(DebSourcesFile.Path, PlainText, (output, token) => output.WriteAsync(sources, token).AsTask(), cancellationToken);
    }

    /// <summary>
    /// Serves distribution <paramref name="distribution"/> also under its suite name (<c>spec.publish.deb.suites</c>), as Debian's
    /// <c>dists/stable</c> is a link to <c>dists/bookworm</c>: the same stored files, signed Release included, under a second path.
    /// </summary>
    private static void ServeUnderSuite(PublishContext context, DebPublishOptions options, IndexSpool spool, string distribution)
    {
        var suite = options.SuiteOf(distribution);
        if (suite == distribution)
        {
            return;
        }

        if (spool.Distributions.ContainsKey(suite) || spool.Distributions.Keys.Any(other => other.StartsWith(suite + "/", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException(
                $"spec.publish.deb.suites: suite '{suite}' of '{distribution}' is also a distribution of the repository's packages; choose another suite name");
        }

        var folder = $"dists/{distribution}/";
        var nested = spool.Distributions.Keys.Where(other => other.StartsWith(distribution + "/", StringComparison.Ordinal)).Select(other => $"dists/{other}/").ToList();
        foreach (var file in context.FilesUnder(folder).Where(file => !nested.Exists(inner => file.RelativePath.StartsWith(inner, StringComparison.Ordinal))))
        {
            context.AddStoredFile(file with { RelativePath = $"dists/{suite}/{file.RelativePath[folder.Length..]}" });
        }
    }

    private static async Task PublishDistributionAsync(PublishContext context, DebPublishOptions options, IndexSpool spool, string distribution,
        DistributionLayout layout, CancellationToken cancellationToken)
    {
        var byHash = options.ByHash;
        var architectures = layout.Architectures.Count > 0 ? layout.Architectures.Order(StringComparer.Ordinal).ToList() : ["all"];
        var components = layout.Components.Order(StringComparer.Ordinal).ToList();
        var entries = new List<(string Path, IndexDigest Digest)>();
        var folder = $"dists/{distribution}/";
        var byHashPaths = new HashSet<string>(StringComparer.Ordinal);

        foreach (var component in components)
        {
            foreach (var architecture in architectures)
            {
                await AddIndexDirectoryAsync(context, options, spool, entries, byHash ? byHashPaths : null, distribution, component, architecture, cancellationToken);
            }

            if (layout.SourceComponents.Contains(component))
            {
                await AddIndexDirectoryAsync(context, options, spool, entries, byHash ? byHashPaths : null, distribution, component, DebSourcePackage.Architecture, cancellationToken);
            }
        }

        if (byHash)
        {
            await RetainEarlierByHashAsync(context, options, folder, byHashPaths, cancellationToken);
        }

        var release = new StringBuilder();
        var now = DateTimeOffset.UtcNow;
        release.Append("Origin: ").Append(ReleaseField(options.Origin) ?? context.RepositoryName).Append('\n');
        release.Append("Label: ").Append(ReleaseField(options.Label) ?? context.RepositoryName).Append('\n');
        release.Append("Suite: ").Append(options.SuiteOf(distribution)).Append('\n');
        release.Append("Codename: ").Append(distribution).Append('\n');
        release.Append("Date: ").Append(Rfc2822(now)).Append('\n');
        if (DebPublishOptions.ParseDuration(options.ValidFor) is { } window)
        {
            release.Append("Valid-Until: ").Append(Rfc2822(now + window)).Append('\n');
        }

        release.Append("Architectures: ").AppendJoin(' ', architectures).Append('\n');
        release.Append("Components: ").AppendJoin(' ', components).Append('\n');
        if (byHash)
        {
            release.Append("Acquire-By-Hash: yes\n");
        }

        release.Append("MD5Sum:\n");
        foreach (var entry in entries)
        {
            release.Append(CultureInfo.InvariantCulture, $" {entry.Digest.Md5} {entry.Digest.Size,16} {entry.Path}\n");
        }

        release.Append("SHA256:\n");
        foreach (var entry in entries)
        {
            release.Append(CultureInfo.InvariantCulture, $" {entry.Digest.Sha256} {entry.Digest.Size,16} {entry.Path}\n");
        }

        var releaseText = release.ToString();
        var releaseBytes = Encoding.UTF8.GetBytes(releaseText);
        await context.AddFileAsync(folder + "Release", PlainText, (output, token) => output.WriteAsync(releaseBytes, token).AsTask(), cancellationToken);
        if (context.Options.SigningKey is { } key)
        {
            var inRelease = Encoding.UTF8.GetBytes(OpenPgp.ClearSign(releaseText, key));
            var signature = Encoding.ASCII.GetBytes(OpenPgp.DetachedSign(releaseBytes, key));
            await context.AddFileAsync(folder + "InRelease", PlainText, (output, token) => output.WriteAsync(inRelease, token).AsTask(), cancellationToken);
            await context.AddFileAsync(folder + "Release.gpg", "application/pgp-signature", (output, token) => output.WriteAsync(signature, token).AsTask(), cancellationToken);
        }
    }

    /// <summary>
    /// Clients holding an earlier InRelease fetch its indices by hash while a newer publication replaces it: keep the by-hash
    /// files that earlier publications generated themselves (a by-hash file whose digest is one of that publication's
    /// indices in the same folder, not one it kept from before) while they were current within the retention window.
    /// </summary>
    private static async Task RetainEarlierByHashAsync(PublishContext context, DebPublishOptions options, string folder, HashSet<string> byHashPaths,
        CancellationToken cancellationToken)
    {
        var retention = DebPublishOptions.ParseDuration(options.ByHashRetention) ?? DebPublishOptions.DefaultByHashRetention;
        var publication = new List<PublishedFile>();
        long current = -1;
        await foreach (var earlier in context.ReadEarlierFilesAsync(folder, DateTimeOffset.UtcNow - retention, cancellationToken))
        {
            if (earlier.PublicationId != current)
            {
                Retain(publication);
                publication.Clear();
                current = earlier.PublicationId;
            }

            publication.Add(earlier.File);
        }

        Retain(publication);

        void Retain(List<PublishedFile> files)
        {
            var indices = files.Where(f => !f.RelativePath.Contains("/by-hash/", StringComparison.Ordinal))
                .Select(f => $"{f.RelativePath[..(f.RelativePath.LastIndexOf('/') + 1)]}by-hash/SHA256/{f.Sha256}")
                .ToHashSet(StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (indices.Contains(file.RelativePath) && byHashPaths.Add(file.RelativePath))
                {
                    context.AddStoredFile(file);
                }
            }
        }
    }

    /// <summary>
    /// Publishes one index directory: <c>binary-&lt;arch&gt;/Packages</c> or <c>source/Sources</c> in its three variants, written
    /// concurrently, each in one streaming pass over the spooled stanzas that compresses, hashes and stores it (xz dominates;
    /// gzip and the plain file finish beside it), and the directory's own Release.
    /// </summary>
    private static async Task AddIndexDirectoryAsync(PublishContext context, DebPublishOptions options, IndexSpool spool, List<(string Path, IndexDigest Digest)> entries,
        HashSet<string>? byHashPaths, string distribution, string component, string architecture, CancellationToken cancellationToken)
    {
        var folder = $"dists/{distribution}/";
        var source = architecture == DebSourcePackage.Architecture;
        var directory = source ? $"{component}/source/" : $"{component}/binary-{architecture}/";
        var variants = source ? SourcesVariants : PackagesVariants;
        var parts = spool.Parts(distribution, component, architecture);
        var digests = await Task.WhenAll(variants.Select(variant => Task.Run(
            () => AddIndexAsync(context, folder + directory + variant.Name, variant, options, parts, cancellationToken), cancellationToken)));
        for (var i = 0; i < variants.Length; i++)
        {
            AddIndexEntry(context, entries, byHashPaths, folder, directory + variants[i].Name, variants[i].MediaType, digests[i]);
        }

        var release = Encoding.UTF8.GetBytes(
            $"Archive: {options.SuiteOf(distribution)}\nComponent: {component}\nArchitecture: {architecture}\n" + (ReleaseField(options.Origin) is { } o ? $"Origin: {o}\n" : ""));
        await context.AddFileAsync(folder + directory + "Release", PlainText, (output, token) => output.WriteAsync(release, token).AsTask(), cancellationToken);
        AddIndexEntry(context, entries, byHashPaths, folder, directory + "Release", PlainText,
            new IndexDigest(Hex(MD5.HashData(release)), Hex(SHA256.HashData(release)), release.Length));
    }

    /// <summary>
    /// Writes one variant of an index (its spooled <paramref name="parts"/>, compressed as <paramref name="variant"/> says) as a
    /// published file at <paramref name="path"/> and returns what the Release lists of it.
    /// </summary>
    private static async Task<IndexDigest> AddIndexAsync(PublishContext context, string path, IndexVariant variant, DebPublishOptions options,
        IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        IndexDigest? digest = null;
        await context.AddFileAsync(path, variant.MediaType, async (output, token) =>
        {
            var hashing = new HashingWriteStream(output);
            await using (hashing)
            {
                await using (var compressing = variant.Format == CompressionFormat.Xz
                    ? Compression.CreateXz(hashing, Math.Clamp(options.XzPreset ?? DebPublishOptions.DefaultXzPreset, 0, 9), leaveOpen: true)
                    : Compression.Create(hashing, variant.Format, leaveOpen: true))
                {
                    await IndexSpool.CopyPartsAsync(parts, compressing, token);
                }

                digest = hashing.Finish();
            }
        }, cancellationToken);
        return digest ?? throw new InvalidOperationException($"{path} was not written");
    }

    /// <summary>Lists an index in the Release and, with by-hash, serves the stored file under its digest too (no second copy).</summary>
    private static void AddIndexEntry(PublishContext context, List<(string Path, IndexDigest Digest)> entries, HashSet<string>? byHashPaths,
        string folder, string path, string mediaType, IndexDigest digest)
    {
        entries.Add((path, digest));
        var byHashPath = $"{folder}{path[..(path.LastIndexOf('/') + 1)]}by-hash/SHA256/{digest.Sha256}";
        if (byHashPaths is not null && byHashPaths.Add(byHashPath))
        {
            context.AddStoredFile(new PublishedFile(byHashPath, digest.Sha256, digest.Size, mediaType));
        }
    }

    /// <summary>One line of a Release field: a value the schema let through with a line break (a trailing one passes '$') is cut there.</summary>
    private static string? ReleaseField(string? value) =>
        value?.Split(['\r', '\n'], 2)[0].Trim() is { Length: > 0 } line ? line : null;

    private static string Rfc2822(DateTimeOffset time) => time.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Hex(byte[] digest) => Convert.ToHexStringLower(digest);

    private static IndexVariant[] Variants(string name) =>
    [
        new(name, CompressionFormat.None, PlainText),
        new(name + ".gz", CompressionFormat.Gzip, "application/gzip"),
        new(name + ".xz", CompressionFormat.Xz, "application/x-xz"),
    ];

    /// <summary>One published form of an index: its file name, compression and media type.</summary>
    private sealed record IndexVariant(string Name, CompressionFormat Format, string MediaType);
}
