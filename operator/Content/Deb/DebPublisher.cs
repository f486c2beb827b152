using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Packyard.Engine.Compression;
using Packyard.Engine.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Publishes the APT layout: <c>dists/&lt;dist&gt;/{Release,InRelease,Release.gpg}</c> and per component and
/// architecture <c>Packages</c>, <c>Packages.gz</c>, <c>Packages.xz</c>, <c>Release</c> and (with byHash) <c>by-hash/SHA256/&lt;digest&gt;</c>.
/// The pool is served pass-through at each artifact's relative path. Packages of architecture <c>all</c> are listed
/// in every architecture's index, as dak and apt-ftparchive do.
/// </summary>
internal sealed class DebPublisher : IPublisher
{
    public bool PassThrough => true;

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var options = JsonSerializer.Deserialize(context.Options.OptionsJson, DebJsonContext.Default.DebPublishOptions)
            ?? new DebPublishOptions(null, null, null, null, null);
        using var spool = new IndexSpool();
        await foreach (var unit in context.ReadContentAsync(cancellationToken))
        {
            var metadata = JsonSerializer.Deserialize(unit.MetadataJson, DebJsonContext.Default.DebUnitMetadata)
                ?? throw new InvalidOperationException($"unit {unit.Id} has no deb metadata");
            var stanza = metadata.ToStanza();
            var architecture = stanza["Architecture"] ?? "all";
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
    }

    private static async Task PublishDistributionAsync(PublishContext context, DebPublishOptions options, IndexSpool spool, string distribution,
        DistributionLayout layout, CancellationToken cancellationToken)
    {
        var byHash = options.ByHash ?? true;
        var architectures = layout.Architectures.Count > 0 ? layout.Architectures.Order(StringComparer.Ordinal).ToList() : ["all"];
        var components = layout.Components.Order(StringComparer.Ordinal).ToList();
        var entries = new List<(string Path, string Md5, string Sha256, long Size)>();
        var folder = $"dists/{distribution}/";
        var byHashPaths = new HashSet<string>(StringComparer.Ordinal);

        foreach (var component in components)
        {
            foreach (var architecture in architectures)
            {
                var directory = $"{component}/binary-{architecture}/";
                var plain = spool.Concatenate(distribution, component, architecture);
                var gz = await IndexSpool.CompressAsync(plain, CompressionFormat.Gzip, ".gz", cancellationToken);
                var xz = await IndexSpool.CompressAsync(plain, CompressionFormat.Xz, ".xz", cancellationToken);
                foreach (var (file, name, mediaType) in new[]
                {
                    (plain, "Packages", "text/plain; charset=utf-8"), (gz, "Packages.gz", "application/gzip"), (xz, "Packages.xz", "application/x-xz"),
                })
                {
                    var (md5, sha256, size) = IndexSpool.Hash(file);
                    entries.Add((directory + name, md5, sha256, size));
                    await context.AddFileAsync(folder + directory + name, mediaType, (output, token) => CopyAsync(file, output, token), cancellationToken);
                    if (byHash && byHashPaths.Add($"{folder}{directory}by-hash/SHA256/{sha256}"))
                    {
                        await context.AddFileAsync($"{folder}{directory}by-hash/SHA256/{sha256}", mediaType, (output, token) => CopyAsync(file, output, token), cancellationToken);
                    }
                }

                var componentRelease = Encoding.UTF8.GetBytes(
                    $"Archive: {distribution}\nComponent: {component}\nArchitecture: {architecture}\n" + (options.Origin is { } o ? $"Origin: {o}\n" : ""));
                entries.Add((directory + "Release", Hex(MD5.HashData(componentRelease)), Hex(SHA256.HashData(componentRelease)), componentRelease.Length));
                await context.AddFileAsync(folder + directory + "Release", "text/plain; charset=utf-8",
                    (output, token) => output.WriteAsync(componentRelease, token).AsTask(), cancellationToken);
            }
        }

        if (byHash)
        {
            await RetainEarlierByHashAsync(context, options, folder, byHashPaths, cancellationToken);
        }

        var release = new StringBuilder();
        var now = DateTimeOffset.UtcNow;
        release.Append("Origin: ").Append(options.Origin ?? context.RepositoryName).Append('\n');
        release.Append("Label: ").Append(options.Label ?? context.RepositoryName).Append('\n');
        release.Append("Suite: ").Append(distribution).Append('\n');
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
            release.Append(CultureInfo.InvariantCulture, $" {entry.Md5} {entry.Size,16} {entry.Path}\n");
        }

        release.Append("SHA256:\n");
        foreach (var entry in entries)
        {
            release.Append(CultureInfo.InvariantCulture, $" {entry.Sha256} {entry.Size,16} {entry.Path}\n");
        }

        var releaseText = release.ToString();
        var releaseBytes = Encoding.UTF8.GetBytes(releaseText);
        await context.AddFileAsync(folder + "Release", "text/plain; charset=utf-8", (output, token) => output.WriteAsync(releaseBytes, token).AsTask(), cancellationToken);
        if (context.Options.SigningKey is { } key)
        {
            var inRelease = Encoding.UTF8.GetBytes(OpenPgp.ClearSign(releaseText, key));
            var signature = Encoding.ASCII.GetBytes(OpenPgp.DetachedSign(releaseBytes, key));
            await context.AddFileAsync(folder + "InRelease", "text/plain; charset=utf-8", (output, token) => output.WriteAsync(inRelease, token).AsTask(), cancellationToken);
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

    private static string Rfc2822(DateTimeOffset time) => time.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Hex(byte[] digest) => Convert.ToHexStringLower(digest);

    private static async Task CopyAsync(string file, Stream output, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await input.CopyToAsync(output, cancellationToken);
    }
}
