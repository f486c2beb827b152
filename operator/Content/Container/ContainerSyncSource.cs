using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Packyard.Api.Resources;

namespace Packyard.Content.Container;

/// <summary>
/// Syncs one repository of a registry (the Remote's <c>url</c> and <c>container.upstreamName</c>): lists its tags, keeps those the
/// tag globs select plus cosign-style <c>sha256-&lt;digest&gt;.sig/.att</c> tags of what they point to, learns each tag's digest
/// by HEAD, and, unless the tag→digest map and referrers are unchanged since the last sync, fetches every manifest by digest
/// (checked against it), walks indexes (all children kept; layers only for the selected platforms) and declares blobs,
/// manifests (their bytes stored at once) and tags.
/// </summary>
internal sealed partial class ContainerSyncSource : ISyncSource
{
    /// <summary>How deep indexes may nest (an index of indexes of manifests is depth 2).</summary>
    public const int MaxIndexDepth = 4;

    /// <summary>A cosign-style tag naming the manifest it belongs to: <c>sha256-&lt;hex&gt;</c>, <c>.sig</c>, <c>.att</c>, ….</summary>
    [GeneratedRegex("^sha256-([a-f0-9]{64})(?:\\.[A-Za-z0-9_-]+)?$")]
    internal static partial Regex SubjectTag();

    public async IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = context.Remote.TypeOptions as ContainerRemoteOptions;
        if (string.IsNullOrWhiteSpace(options?.UpstreamName) && context.Names is not null)
        {
            await foreach (var unit in new PullThroughSource(context, new PlatformFilter(options?.Platforms)).ReadAsync(cancellationToken))
            {
                yield return unit;
            }

            yield break;
        }

        if (options is null || string.IsNullOrWhiteSpace(options.UpstreamName))
        {
            throw new ContainerOptionsException($"Remote {context.Remote.DisplayName}: spec.container.upstreamName is required to sync (the repository on the registry, e.g. library/nginx)");
        }

        var repository = OciName.UpstreamRepository(context.Remote.BaseUrl, options.UpstreamName.Trim());
        if (!OciName.IsValidName(repository))
        {
            throw new ContainerOptionsException($"Remote {context.Remote.DisplayName}: spec.container.upstreamName '{repository}' is not a repository name (lower-case letters, digits, '.', '_', '-', separated by '/')");
        }

        var filter = new TagFilter(options.IncludeTags, options.ExcludeTags);
        var platforms = new PlatformFilter(options.Platforms);
        var registry = new RegistryClient(context, repository);

        var listed = await registry.ListTagsAsync(cancellationToken);
        var selected = listed.Where(t => filter.Matches(t) && (context.Names is null || context.Names.Contains(t))).ToList();
        var tags = await ResolveAsync(registry, selected, context.Remote.Concurrency, cancellationToken);
        var subjects = tags.Values.ToHashSet(StringComparer.Ordinal);
        var signatures = listed.Where(t => !tags.ContainsKey(t) && SubjectTag().Match(t) is { Success: true } m && subjects.Contains(OciDigest.Prefix + m.Groups[1].Value)).ToList();
        foreach (var (tag, digest) in await ResolveAsync(registry, signatures, context.Remote.Concurrency, cancellationToken))
        {
            tags[tag] = digest;
        }

        var referrers = await ReferrersAsync(registry, subjects, context.Remote.Concurrency, cancellationToken);
        context.UpstreamState = State(repository, platforms, tags, referrers);
        if (context.UpstreamUnchanged)
        {
            yield break;
        }

        var walker = new ManifestWalker(context, registry, platforms);
        foreach (var (tag, digest) in tags)
        {
            foreach (var unit in await walker.WalkAsync(digest, $"{repository}:{tag}", cancellationToken))
            {
                yield return unit;
            }
        }

        foreach (var (subject, referring) in referrers)
        {
            foreach (var digest in referring)
            {
                foreach (var unit in await walker.WalkAsync(digest, $"{repository}: referrer {digest} of {subject}", cancellationToken))
                {
                    yield return unit;
                }
            }
        }

        foreach (var (tag, digest) in tags)
        {
            var manifest = walker.Manifests[digest];
            var metadata = new TagMetadata(tag, digest, manifest.MediaType, manifest.Size);
            yield return new DeclaredContent(ContainerContentType.TagNaturalKey(tag, digest), ContainerContentType.TagRepoKey(tag), tag, Version: null,
                JsonSerializer.Serialize(metadata, ContainerJsonContext.Default.TagMetadata), []);
        }
    }

    /// <summary>Tag → digest for <paramref name="tags"/>, with the Remote's concurrency; in ordinal tag order.</summary>
    private static async Task<SortedDictionary<string, string>> ResolveAsync(RegistryClient registry, List<string> tags, int concurrency, CancellationToken cancellationToken)
    {
        var resolved = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(tags, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (tag, token) => resolved[tag] = await registry.ResolveTagAsync(tag, token));
        return new SortedDictionary<string, string>(resolved, StringComparer.Ordinal);
    }

    private static async Task<SortedDictionary<string, List<string>>> ReferrersAsync(RegistryClient registry, HashSet<string> subjects, int concurrency,
        CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (subject, token) =>
            {
                var referring = await registry.ReferrersAsync(subject, token);
                if (referring.Count > 0)
                {
                    referring.Sort(StringComparer.Ordinal);
                    found[subject] = referring;
                }
            });
        return new SortedDictionary<string, List<string>>(found, StringComparer.Ordinal);
    }

    /// <summary>What the upstream holds for this sync's settings: repository, platforms, tag → digest and referrers, hashed.</summary>
    internal static string State(string repository, PlatformFilter platforms, SortedDictionary<string, string> tags, SortedDictionary<string, List<string>> referrers)
    {
        var text = new StringBuilder().Append("container/1\n").Append(repository).Append('\n').Append(platforms).Append('\n');
        foreach (var (tag, digest) in tags)
        {
            text.Append(tag).Append(' ').Append(digest).Append('\n');
        }

        foreach (var (subject, referring) in referrers)
        {
            text.Append(subject).Append(" <- ").AppendJoin(',', referring).Append('\n');
        }

        return OciDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
