using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Controllers;
using Packyard.Manifests;
using Packyard.Standalone;

namespace Packyard.Runtime;

/// <summary>
/// Standalone mode's resource source: the manifests folder, read into a <see cref="ResourceSet"/> and read again once it has
/// been quiet after a change (a watcher, and polling for what the watcher misses). Resources absent from a file that parses,
/// or whose file was deleted, go; a file that does not parse keeps its resources (see <see cref="ManifestFolder"/>), and a
/// folder that cannot be listed changes nothing. An invalid manifest keeps the last valid object, which stalls with InvalidSpec.
/// </summary>
public sealed class ManifestFolderSource(StandaloneOptions options, ResourceSet resources, ReconcileServices services, ConsoleReporter reporter) : IResourceSource
{
    private readonly ManifestFolder folder = new(options.ManifestsDirectory);
    private readonly SemaphoreSlim reloading = new(1, 1);
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<ResourceKey, byte> removed = new();
    private Action<ResourceKey> changed = _ => { };
    private string filesFingerprint = "";
    private long lastWatcherEvent;
    private int settled;

    public IEnumerable<object> Objects => resources.Entries.Select(e => e.Resource).OfType<object>();

    public IEnumerable<Distribution> Distributions => resources.Distributions;

    public Remote? GetRemote(string ns, string name) => resources.GetRemote(ns, name);

    public Repository? GetRepository(string ns, string name) => resources.GetRepository(ns, name);

    public Secret? GetSecret(string ns, string name) => resources.GetSecret(ns, name);

    public (T Object, string? Invalid)? Get<T>(KindRegistration<T> kind, string ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var entry = resources.Get(new ResourceKey(kind.Name, ns, name));
        return entry?.Resource is T item ? (item, entry.Error) : null;
    }

    /// <summary>The spec's generation, the requested-at annotation and the manifest's validity: what a reload can change.</summary>
    public string? Signature(ResourceKey key) => resources.Get(key) is { } entry
        ? string.Join('|', entry.Generation, entry.Resource is IKubernetesObject<V1ObjectMeta> o ? o.Metadata.Annotation(PackyardGroup.RequestedAtAnnotation) : null,
            entry.IsStub, entry.Error)
        : null;

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);

    public async Task RunAsync(Action<ResourceKey> changed, CancellationToken cancellationToken)
    {
        this.changed = changed;
        try
        {
            await ReloadAsync(cancellationToken);
            synced.TrySetResult();
        }
        catch (Exception e)
        {
            synced.TrySetException(e);
            throw;
        }

        // The watcher only tells the debounce loop that the folder is being written; the loop reads it once it is quiet.
        using var watcher = new FileSystemWatcher(options.ManifestsDirectory) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        FileSystemEventHandler written = (_, _) => Volatile.Write(ref lastWatcherEvent, Environment.TickCount64);
        watcher.Changed += written;
        watcher.Created += written;
        watcher.Deleted += written;
        watcher.Renamed += (_, _) => Volatile.Write(ref lastWatcherEvent, Environment.TickCount64);
        await ReloadWhenQuietAsync(cancellationToken);
    }

    /// <summary>A reconcile wrote the object's status: what depends on it is told, as a watch tells it in a cluster.</summary>
    internal void StatusWritten(ResourceKey key) => changed(key);

    /// <summary>True for the first reconcile that leaves the queue empty after a (re)load: a round of work settled.</summary>
    internal bool Settle() => Interlocked.Exchange(ref settled, 1) == 0;

    /// <summary>True once for a key that a reload removed (its cleanup is to be reported).</summary>
    internal bool TakeRemoved(ResourceKey key) => removed.TryRemove(key, out _);

    /// <summary>Reads the manifests folder and tells what changed or went.</summary>
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await reloading.WaitAsync(cancellationToken);
        try
        {
            filesFingerprint = FilesFingerprint();
            IReadOnlyList<ManifestDocument> documents;
            IReadOnlyList<ManifestError> unparsed;
            try
            {
                (documents, unparsed) = folder.Read();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reporter.Record("Manifest", "-", options.ManifestsDirectory, true, "InvalidManifest", $"cannot read the manifests folder, nothing changed: {e.Message}");
                return;
            }

            var validations = ManifestValidator.ValidateDocuments(documents);
            foreach (var error in unparsed.Concat(validations.SelectMany(v => v.Errors)).Distinct())
            {
                reporter.Record("Manifest", "-", ManifestErrorFormat.DisplayPath(error.File, options.ManifestsDirectory), true, "InvalidManifest", error.ToString());
            }

            var before = resources.Entries.ToDictionary(e => e.Key, e => (e.SpecJson, e.Resource));
            var (changedKeys, removedEntries) = resources.Apply(validations);
            await CancelObsoleteSyncsAsync(before, changedKeys, removedEntries, cancellationToken);
            Interlocked.Exchange(ref settled, 0);
            foreach (var entry in removedEntries)
            {
                removed[entry.Key] = 0;
                changed(entry.Key);
            }

            foreach (var key in changedKeys.OrderBy(k => KindRegistry.Find(k.Kind)?.Order))
            {
                changed(key);
            }
        }
        finally
        {
            reloading.Release();
        }
    }

    /// <summary>
    /// Stops running syncs at once whose work is obsolete: of a removed Repository, of one whose Remote reference or sync mode
    /// changed, and of the Repositories of a Remote whose spec changed. Their reconciles run again with what the manifests say
    /// now. A sync runs inside its Repository's reconcile here, so the removed Repository's cleanup (a reconcile of the same key)
    /// could only start once the sync ended: the reload stops it.
    /// </summary>
    private async Task CancelObsoleteSyncsAsync(
        Dictionary<ResourceKey, (string SpecJson, object? Resource)> before, List<ResourceKey> changedKeys, List<ResourceEntry> removedEntries,
        CancellationToken cancellationToken)
    {
        var obsolete = removedEntries.Where(e => e.Resource is Repository)
            .ToDictionary(e => e.Key, _ => "canceled: the Repository was removed from the manifests");
        foreach (var key in changedKeys)
        {
            var now = resources.Get(key);
            if (!before.TryGetValue(key, out var old) || now is null || old.SpecJson == now.SpecJson)
            {
                continue;
            }

            if (old.Resource is Repository was && now.Resource is Repository repository
                && (was.Spec.RemoteRef?.Name != repository.Spec.RemoteRef?.Name || was.Spec.Sync?.Mode != repository.Spec.Sync?.Mode))
            {
                obsolete[key] = "canceled: the Repository's remoteRef or sync mode changed";
            }
            else if (now.Resource is Remote)
            {
                foreach (var dependent in resources.Entries.Where(e => e.Key.Namespace == key.Namespace && e.Resource is Repository r && r.Spec.RemoteRef?.Name == key.Name))
                {
                    obsolete[dependent.Key] = $"canceled: Remote {key.Name} changed";
                }
            }
        }

        foreach (var (key, reason) in obsolete)
        {
            await services.Syncs.CancelAsync($"{key.Namespace}/{key.Name}", reason, cancellationToken);
        }
    }

    /// <summary>
    /// Reads the folder once it has been quiet (no watcher event, no file changed) for <see cref="StandaloneOptions.ReloadQuietPeriod"/>,
    /// so an editor's save or a <c>git checkout</c> is read once, after its last write; a folder that never stays quiet is
    /// still read every ten quiet periods. Polls, so changes the watcher misses are seen too.
    /// </summary>
    private async Task ReloadWhenQuietAsync(CancellationToken cancellationToken)
    {
        var quiet = options.ReloadQuietPeriod;
        var pending = filesFingerprint;
        var pendingSince = Environment.TickCount64;
        long? firstPending = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(quiet.TotalMilliseconds / 4, 10, 250)));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = Environment.TickCount64;
            var current = FilesFingerprint();
            if (current != pending)
            {
                (pending, pendingSince) = (current, now);
            }

            if (current == filesFingerprint)
            {
                firstPending = null;
                continue;
            }

            firstPending ??= now;
            var lastWrite = Math.Max(pendingSince, Volatile.Read(ref lastWatcherEvent));
            if (now - lastWrite >= quiet.TotalMilliseconds || now - firstPending >= 10 * quiet.TotalMilliseconds)
            {
                firstPending = null;
                try
                {
                    await ReloadAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // E.g. the database is down while a changed Remote's syncs are canceled: report, and read again in ten quiet periods.
                    filesFingerprint = "";
                    pendingSince = Environment.TickCount64 + (long)(9 * quiet.TotalMilliseconds);
                    reporter.Record("Manifest", "-", options.ManifestsDirectory, true, "ReloadFailed", e.Message);
                }
            }
        }
    }

    private string FilesFingerprint()
    {
        try
        {
            var parts = ManifestLoader.FindFiles(options.ManifestsDirectory)
                .Select(f => new FileInfo(f))
                .Select(f => $"{f.FullName}:{f.Length}:{f.LastWriteTimeUtc.Ticks}");
            return string.Join('\n', parts);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable: " + e.Message;
        }
    }
}
