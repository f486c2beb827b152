using System.Text;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Controllers;
using Packyard.Engine.Publishing;
using Packyard.Tests.Controllers.Fakes;
using static Packyard.Tests.Controllers.Conditions;

namespace Packyard.Tests.Controllers;

/// <summary>
/// The Repository reconciler's steps (ResolveRemote, EnsureRepository, Sync, Publish, PruneVersions, Report), one table each,
/// against in-memory engine ports: no PostgreSQL, no worker. Each row states the state before the reconcile and what it ends
/// with (see <see cref="StepCase{T}"/>). Unless a row says otherwise the Repository "files" syncs from the Remote "upstream";
/// the sync rows turn publishing off so that they end at their own step.
/// </summary>
public sealed class RepositoryReconcilerStepTests
{
    private const string UpstreamDown = "SyncFailedUpstreamUnavailable";
    private const string Refused = "GET https://mirror:hunter2@upstream.test/files/index?token=abc failed: connection refused";

    public static TheoryData<string> ResolveRemoteCases() => [.. ResolveRemote.Keys];

    public static TheoryData<string> EnsureRepositoryCases() => [.. EnsureRepository.Keys];

    public static TheoryData<string> SyncCases() => [.. Sync.Keys];

    public static TheoryData<string> PublishCases() => [.. Publish.Keys];

    public static TheoryData<string> PruneVersionsCases() => [.. PruneVersions.Keys];

    public static TheoryData<string> ReportCases() => [.. Report.Keys];

    [Theory]
    [MemberData(nameof(ResolveRemoteCases))]
    public Task ResolveRemote_waits_for_a_missing_Remote_stalls_on_an_unusable_one_and_saves_a_usable_one(string name) => RunAsync(ResolveRemote[name]);

    [Theory]
    [MemberData(nameof(EnsureRepositoryCases))]
    public Task EnsureRepository_attaches_the_engine_record_and_applies_uploads(string name) => RunAsync(EnsureRepository[name]);

    [Theory]
    [MemberData(nameof(SyncCases))]
    public Task Sync_queues_a_due_sync_waits_for_it_reports_it_and_backs_off_after_failures(string name) => RunAsync(Sync[name]);

    [Theory]
    [MemberData(nameof(PublishCases))]
    public Task Publish_queues_the_newest_version_waits_for_it_and_reports_it_once(string name) => RunAsync(Publish[name]);

    [Theory]
    [MemberData(nameof(PruneVersionsCases))]
    public Task PruneVersions_applies_retainVersions(string name) => RunAsync(PruneVersions[name]);

    [Theory]
    [MemberData(nameof(ReportCases))]
    public Task Report_fills_status_from_the_engine(string name) => RunAsync(Report[name]);

    private static Task RunAsync(StepCase<Repository> test) => test.RunAsync((world, repository) => world.ReconcileAsync(repository), r => r.Status);

    private static readonly Dictionary<string, StepCase<Repository>> ResolveRemote = new(StringComparer.Ordinal)
    {
        ["A missing Remote waits with ReferenceNotFound before the engine record exists"] = new(
            Arrange(w => w.AddRepository()),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "spec.remoteRef: Remote default/upstream not found",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: [],
            Then: (w, _, result) =>
            {
                Assert.Empty(w.Catalog.Repositories);
                Assert.Equal(TimeSpan.FromSeconds(30), result.RequeueAfter);
            }),
        ["A Remote of another type stalls with TypeMismatch"] = new(
            Arrange(w =>
            {
                w.AddRemote(type: ContentType.Deb);
                return w.AddRepository();
            }),
            StepOutcome.Stalled, Reasons.TypeMismatch, "spec.remoteRef: Remote upstream is of type deb but this Repository is file",
            Stalled(Reasons.TypeMismatch), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A Remote whose auth Secret is missing stalls with SecretNotFound"] = new(
            Arrange(w =>
            {
                w.AddRemote().Spec.AuthSecretRef = new SecretReference { Name = "creds" };
                return w.AddRepository();
            }),
            StepOutcome.Stalled, Reasons.SecretNotFound, "Remote upstream: spec.authSecretRef: Secret default/creds not found",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Remotes)),
        ["A Remote with a URL that is not http, https or file stalls with InvalidSpec"] = new(
            Arrange(w =>
            {
                w.AddRemote(url: "ftp://upstream.test/files/");
                return w.AddRepository();
            }),
            StepOutcome.Stalled, Reasons.InvalidSpec, "Remote upstream: spec.url 'ftp://upstream.test/files/' is not an absolute http, https or file URL",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A usable Remote is saved with its credentials and the sync is made from it"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("creds", new() { ["username"] = "mirror", ["password"] = "hunter2" });
                w.AddRemote().Spec.AuthSecretRef = new SecretReference { Name = "creds" };
                return w.AddRepository();
            }),
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 1)",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: [],
            Then: (w, _, _) =>
            {
                var (id, settings) = w.Catalog.Remotes[("default", "upstream")];
                Assert.Equal(("mirror", "hunter2", new Uri("https://upstream.test/files/")), (settings.Username, settings.Password, settings.BaseUrl));
                var job = Assert.Single(w.Syncs.Queued);
                Assert.Equal((id, "default/files", SyncMode.Additive), (job.Request.RemoteId, job.Request.RepositoryName, job.Request.Mode));
            }),
        ["A Repository without a remoteRef never syncs and goes on to publish"] = new(
            Arrange(w => w.AddRepository(remote: null)),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1)",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Remotes)),
    };

    private static readonly Dictionary<string, StepCase<Repository>> EnsureRepository = new(StringComparer.Ordinal)
    {
        ["A new Repository gets its engine record with version 0 and uploads as its spec says"] = new(
            Arrange(w => Unpublished(w.AddRepository(remote: null), r => r.Spec.Uploads = new RepositoryUploads { Enabled = true })),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) =>
            {
                var stored = w.Stored();
                Assert.Equal(("file", true, 0L), (stored.Type, stored.UploadsEnabled, stored.Latest));
            }),
        ["Uploads no longer in the spec are turned off in the engine"] = new(
            Arrange(w =>
            {
                w.Catalog.Add("default", "files", "file", ReconcileWorld.Start).UploadsEnabled = true;
                return Unpublished(w.AddRepository(remote: null));
            }),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) => Assert.False(w.Stored().UploadsEnabled)),
        ["An engine record of another type stalls with InvalidSpec"] = new(
            Arrange(w =>
            {
                w.Catalog.Add("default", "files", "deb", ReconcileWorld.Start);
                return w.AddRepository(remote: null);
            }),
            StepOutcome.Stalled, Reasons.InvalidSpec, "repository default/files exists with type deb, not file",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A Repository re-created within its deletion grace gets its versions back with a Restored event"] = new(
            Arrange(w =>
            {
                var kept = new StoredRepository(7, "file");
                for (var i = 0; i < 4; i++)
                {
                    kept.AddVersion(ReconcileWorld.Start.AddDays(-1), i, 0);
                }

                w.Catalog.Detached[("default", "files")] = (kept, ReconcileWorld.Start.AddHours(-1));
                return Unpublished(w.AddRepository(remote: null));
            }),
            StepOutcome.Done, Reasons.Succeeded, "version 3 with 6 units",
            Ready(), Queued: [], Events: [Reasons.Restored],
            Then: (w, _, _) => Assert.Equal("restored versions 0–3 kept since deletion at 2026-12-06T08:00:00Z", w.Events.Recorded[0].Message)),
    };

    private static readonly Dictionary<string, StepCase<Repository>> Sync = new(StringComparer.Ordinal)
    {
        ["A new Repository queues its first sync and waits for a worker (SyncQueued)"] = new(
            Arrange(w => Unpublished(Mirror(w))),
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 1), waiting for a worker",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: [],
            Then: (w, _, result) =>
            {
                Assert.Null(Assert.Single(w.Syncs.Queued).Requested);
                Assert.Equal(TimeSpan.FromSeconds(15), result.RequeueAfter);
            }),
        ["A queued sync with the wanted settings is not queued again"] = new(
            Reconciled(w => Unpublished(Mirror(w))),
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 1)",
            Waiting(Reasons.SyncQueued), Queued: [], Events: []),
        ["A running sync is waited for with its worker (SyncRunning)"] = new(
            Reconciled(w => Unpublished(Mirror(w)), w => w.Syncs.Start(w.Stored().Id)),
            StepOutcome.Wait, Reasons.SyncRunning, "sync running on worker worker-1 since 2026-12-06T09:00:00Z (task 1)",
            Waiting(Reasons.SyncRunning), Queued: [], Events: []),
        ["A finished sync that created a version fills lastSync and records SyncSucceeded"] = new(
            Reconciled(w => Unpublished(Mirror(w)), w =>
            {
                w.Syncs.Start(w.Stored().Id);
                w.Time.Advance(TimeSpan.FromMinutes(2));
                w.Syncs.Succeed(w.Stored().Id, added: 3);
            }),
            StepOutcome.Done, Reasons.Succeeded, "version 1 with 3 units",
            Ready(), Queued: [], Events: [Reasons.SyncSucceeded],
            Then: (_, r, _) =>
            {
                var last = r.Status!.LastSync!;
                Assert.Equal((SyncResult.Succeeded, 1L, 3L, ReconcileWorld.Start), (last.Result!.Value, last.Version!.Value, last.Added!.Value, last.StartTime!.Value));
                Assert.Equal("version 1: 3 added, 0 removed (3 downloaded)", last.Message);
            }),
        ["A finished sync that found no change reports it without an event"] = new(
            Reconciled(w => Unpublished(Mirror(w)), w => w.Syncs.Succeed(w.Stored().Id)),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: [],
            Then: (_, r, _) => Assert.Equal("no change from upstream; version 0 is current", r.Status!.LastSync!.Message)),
        ["A synced Repository whose settings did not change queues no sync"] = new(
            async w => await SyncedAsync(w, Unpublished(Mirror(w))),
            StepOutcome.Done, Reasons.Succeeded, "version 1 with 2 units",
            Ready(), Queued: [], Events: []),
        ["A changed Remote URL queues a new sync"] = new(
            async w =>
            {
                var repository = await SyncedAsync(w, Unpublished(Mirror(w)));
                w.Resources.GetRemote("default", "upstream")!.Spec.Url = "https://mirror.test/files/";
                return repository;
            },
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 2)",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: [],
            Then: (w, _, _) => Assert.Equal(new Uri("https://mirror.test/files/"), w.Syncs.Queued[^1].Request.Remote.BaseUrl)),
        ["A changed sync mode queues a new sync"] = new(
            async w =>
            {
                var repository = await SyncedAsync(w, Unpublished(Mirror(w)));
                repository.Spec.Sync = new RepositorySync { Mode = SyncMode.Mirror };
                return repository;
            },
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 2)",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: [],
            Then: (w, _, _) => Assert.Equal(SyncMode.Mirror, w.Syncs.Queued[^1].Request.Mode)),
        ["Changed download settings (rate limit, concurrency, timeout, TLS, proxy) queue no sync: they apply from the next one"] = new(
            async w =>
            {
                var repository = await SyncedAsync(w, Unpublished(Mirror(w)));
                var remote = w.Resources.GetRemote("default", "upstream")!.Spec;
                remote.RateLimit = 2;
                remote.DownloadConcurrency = 1;
                remote.Timeout = "30s";
                remote.Tls = new RemoteTls { InsecureSkipVerify = true };
                return repository;
            },
            StepOutcome.Done, Reasons.Succeeded, "version 1 with 2 units",
            Ready(), Queued: [], Events: []),
        ["A running sync made with other settings is canceled and a new one queued"] = new(
            Reconciled(w => Unpublished(Mirror(w)), w =>
            {
                w.Syncs.Start(w.Stored().Id);
                w.Resources.GetRemote("default", "upstream")!.Spec.Url = "https://mirror.test/files/";
            }),
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 2)",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: [],
            Then: (w, _, _) => Assert.Equal([("default/files", "canceled: the Remote's settings changed")], w.Syncs.Canceled)),
        ["A new request annotation queues a sync that answers it, not handled until it ends"] = new(
            async w =>
            {
                var repository = await SyncedAsync(w, Unpublished(Mirror(w)));
                Request(repository, "2026-12-06T09:30:00Z");
                return repository;
            },
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 2)",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: [],
            Then: (w, r, _) =>
            {
                Assert.Equal("2026-12-06T09:30:00Z", w.Syncs.Queued[^1].Requested);
                Assert.Null(r.Status!.LastHandledRequest);
            }),
        ["The sync that answered a request marks it handled"] = new(
            async w =>
            {
                var repository = await SyncedAsync(w, Unpublished(Mirror(w)));
                Request(repository, "2026-12-06T09:30:00Z");
                await w.ReconcileAsync(repository);
                w.Syncs.Succeed(w.Stored().Id);
                return repository;
            },
            StepOutcome.Done, Reasons.Succeeded, "version 1 with 2 units",
            Ready(), Queued: [], Events: [],
            Then: (_, r, _) => Assert.Equal("2026-12-06T09:30:00Z", r.Status!.LastHandledRequest)),
        ["A failed sync waits out its backoff with SyncFailed, the sanitised cause and nextRetryTime"] = new(
            Reconciled(w => Unpublished(Mirror(w)), w => w.Syncs.Fail(w.Stored().Id, "UpstreamUnavailable", Refused)),
            StepOutcome.Retry, UpstreamDown, "sync failed: GET https://upstream.test/files/index failed: connection refused; 1 in a row, retrying at 2026-12-06T09:00:",
            [.. Retrying(UpstreamDown), (ConditionTypes.SyncFailed, "True", UpstreamDown)], Queued: [], Events: [UpstreamDown],
            Then: (w, r, result) =>
            {
                var retryAt = r.Status!.NextRetryTime!.Value;
                Assert.InRange(retryAt - w.Time.GetUtcNow(), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
                Assert.Equal(retryAt - w.Time.GetUtcNow(), result.RequeueAfter);
                Assert.Equal(SyncResult.Failed, r.Status.LastSync!.Result);
                Assert.DoesNotContain("hunter2", r.Status.LastSync.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("token=abc", string.Join(' ', r.Status.Conditions!.Select(c => c.Message)), StringComparison.Ordinal);
            }),
        ["A failed sync whose backoff has passed is queued again and keeps SyncFailed as Ready's reason"] = new(
            async w =>
            {
                var repository = await FailedAsync(w, Unpublished(Mirror(w)));
                w.Time.Advance(TimeSpan.FromMinutes(1));
                return repository;
            },
            StepOutcome.Wait, UpstreamDown, "sync failed: GET https://upstream.test/files/index failed: connection refused; retrying: sync queued (task 2)",
            [("Reconciling", "True", UpstreamDown), ("Ready", "False", UpstreamDown), (ConditionTypes.SyncFailed, "True", UpstreamDown)],
            Queued: ["sync"], Events: [],
            Then: (_, r, _) => Assert.Null(r.Status!.NextRetryTime)),
        ["Syncs that ended without a result as often as the attempt limit stall until something changes"] = new(
            async w =>
            {
                w.Retry = new SyncRetryOptions { MaxAttempts = 2 };
                var repository = Unpublished(Mirror(w));
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    await w.ReconcileAsync(repository);
                    w.Syncs.Fail(w.Stored().Id, null, "the worker died");
                    w.Time.Advance(TimeSpan.FromMinutes(15));
                }

                return repository;
            },
            StepOutcome.Stalled, "SyncFailedUnexpectedError", "sync failed: the worker died (gave up after 2 attempts that ended without a result;",
            [("Stalled", "True", "SyncFailedUnexpectedError"), ("Ready", "False", "SyncFailedUnexpectedError"), (ConditionTypes.SyncFailed, "True", "SyncFailedUnexpectedError")],
            Queued: [], Events: [ConditionTypes.Stalled],
            Then: (w, _, _) => Assert.True(w.Events.Recorded[^1].Warning)),
        ["A changed Remote after the attempt limit tries again"] = new(
            async w =>
            {
                w.Retry = new SyncRetryOptions { MaxAttempts = 1 };
                var repository = Unpublished(Mirror(w));
                await w.ReconcileAsync(repository);
                w.Syncs.Fail(w.Stored().Id, null, "the worker died");
                await w.ReconcileAsync(repository);
                w.Resources.GetRemote("default", "upstream")!.Spec.Url = "https://mirror.test/files/";
                return repository;
            },
            StepOutcome.Wait, "SyncFailedUnexpectedError", "sync failed: the worker died; retrying: sync queued (task 2)",
            [("Reconciling", "True", "SyncFailedUnexpectedError"), ("Ready", "False", "SyncFailedUnexpectedError"), (ConditionTypes.SyncFailed, "True", "SyncFailedUnexpectedError")],
            Queued: ["sync"], Events: []),
        ["An invalid schedule stalls with InvalidSpec and queues nothing"] = new(
            Arrange(w => Unpublished(Mirror(w), r => r.Spec.Sync = new RepositorySync { Schedule = "every hour" })),
            StepOutcome.Stalled, Reasons.InvalidSpec, "spec.sync.schedule 'every hour' is not a valid 5-field cron expression",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled]),
        ["An unknown time zone stalls with InvalidSpec and queues nothing"] = new(
            Arrange(w => Unpublished(Mirror(w), r => r.Spec.Sync = new RepositorySync { Schedule = "0 * * * *", TimeZone = "Mars/Olympus_Mons" })),
            StepOutcome.Stalled, Reasons.InvalidSpec, "spec.sync.timeZone 'Mars/Olympus_Mons' is not a known IANA time zone",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A suspended sync queues nothing and the Repository is Ready"] = new(
            Arrange(w => Unpublished(Mirror(w), r => r.Spec.Sync = new RepositorySync { Suspend = true })),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: []),
        ["A scheduled Repository shows its next run and is requeued for it"] = new(
            async w => await SyncedAsync(w, Unpublished(Mirror(w), r => r.Spec.Sync = new RepositorySync { Schedule = "0 * * * *" })),
            StepOutcome.Done, Reasons.Succeeded, "version 1 with 2 units",
            Ready(), Queued: [], Events: [],
            Then: (_, r, result) =>
            {
                Assert.Equal(ReconcileWorld.Start.AddHours(1), r.Status!.NextSyncTime);
                Assert.Equal(TimeSpan.FromMinutes(55), result.RequeueAfter);
            }),
        ["A scheduled sync that is due is queued"] = new(
            async w =>
            {
                var repository = await SyncedAsync(w, Unpublished(Mirror(w), r => r.Spec.Sync = new RepositorySync { Schedule = "0 * * * *" }));
                w.Time.Advance(TimeSpan.FromMinutes(56));
                return repository;
            },
            StepOutcome.Wait, Reasons.SyncQueued, "sync queued (task 2)",
            Waiting(Reasons.SyncQueued), Queued: ["sync"], Events: []),
    };

    private static readonly Dictionary<string, StepCase<Repository>> Publish = new(StringComparer.Ordinal)
    {
        ["The newest version without a publication is queued for a worker (PublishQueued)"] = new(
            Arrange(w => w.AddRepository(remote: null)),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1), waiting for a worker",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [],
            Then: (w, _, _) =>
            {
                var (repositoryId, args, notify) = Assert.Single(w.Tasks.Publishes);
                Assert.Equal((w.Stored().Id, "default/files", "file", 0L, (string?)null), (repositoryId, args.Repository, args.Type, args.Version, args.SealedSigningKey));
                Assert.Equal("Repository/default/files", notify);
            }),
        ["A queued publish is not queued again"] = new(
            Reconciled(w => w.AddRepository(remote: null)),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1)",
            Waiting(Reasons.PublishQueued), Queued: [], Events: []),
        ["A running publish is waited for with its worker (PublishRunning)"] = new(
            Reconciled(w => w.AddRepository(remote: null), w => w.StartPublish("files", 0)),
            StepOutcome.Wait, Reasons.PublishRunning, "publish running on worker worker-1",
            Waiting(Reasons.PublishRunning), Queued: [], Events: []),
        ["A finished publish records Published once and the Repository is Ready"] = new(
            Reconciled(w => w.AddRepository(remote: null), w => w.Publish("files", 0)),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units; version 0 published",
            Ready(), Queued: [], Events: [Reasons.Published],
            Then: (_, r, _) => Assert.Equal(0, r.Status!.Publication!.Version)),
        ["A failed publish is retried with PublishFailed and its sanitised cause"] = new(
            Reconciled(w => w.AddRepository(remote: null),
                w => w.Tasks.FinishPublish(w.Stored().Id, 0, succeeded: false, Reasons.UnexpectedError, "PUT https://key:secret@store.test/a?sig=1 failed: No space left on device")),
            StepOutcome.Retry, Reasons.PublishFailed, "PUT https://store.test/a failed: No space left on device",
            [.. Retrying(Reasons.PublishFailed), (ConditionTypes.PublishFailed, "True", Reasons.PublishFailed)], Queued: [], Events: [Reasons.PublishFailed]),
        ["A failed publish with its own reason is retried with that reason"] = new(
            Reconciled(w => w.AddRepository(remote: null),
                w => w.Tasks.FinishPublish(w.Stored().Id, 0, succeeded: false, Reasons.InvalidSecret, "spec.publish.signingKeySecretRef: not an OpenPGP private key")),
            StepOutcome.Retry, Reasons.InvalidSecret, "not an OpenPGP private key",
            Retrying(Reasons.InvalidSecret), Queued: [], Events: [Reasons.InvalidSecret]),
        ["After a failed publish was reported the next reconcile queues it again and Ready keeps PublishFailed"] = new(
            Reconciled(Reconciled(w => w.AddRepository(remote: null), w => w.Tasks.FinishPublish(w.Stored().Id, 0, succeeded: false, null, "No space left on device"))),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 2)",
            [("Reconciling", "True", Reasons.PublishQueued), ("Ready", "False", Reasons.PublishFailed), (ConditionTypes.PublishFailed, "True", Reasons.PublishFailed)],
            Queued: ["publish"], Events: []),
        ["A missing signing-key Secret stalls with SecretNotFound and queues nothing"] = new(
            Arrange(w => Signed(w.AddRepository(remote: null))),
            StepOutcome.Stalled, Reasons.SecretNotFound, "spec.publish.signingKeySecretRef: Secret default/signing-key not found",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled]),
        ["The signing key goes into the publish task sealed, never in clear"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("signing-key", new() { ["private.asc"] = "-----BEGIN PGP PRIVATE KEY BLOCK-----" });
                return Signed(w.AddRepository(remote: null));
            }),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1)",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [],
            Then: (w, _, _) =>
            {
                var sealedKey = Assert.Single(w.Tasks.Publishes).Args.SealedSigningKey!;
                Assert.DoesNotContain("PRIVATE KEY", sealedKey, StringComparison.Ordinal);
                Assert.Equal("-----BEGIN PGP PRIVATE KEY BLOCK-----", Encoding.UTF8.GetString(Convert.FromBase64String(w.Secrets.Open(sealedKey, "the key"))));
            }),
        ["A Repository with publishing turned off queues no publish and is Ready"] = new(
            Arrange(w => Unpublished(w.AddRepository(remote: null))),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: []),
        ["A Repository whose newest version is published queues nothing"] = new(
            Arrange(w =>
            {
                w.Catalog.Add("default", "files", "file", ReconcileWorld.Start).Publications[0] = ReconcileWorld.Start;
                return w.AddRepository(remote: null);
            }),
            StepOutcome.Done, Reasons.Succeeded, "version 0 published",
            Ready(), Queued: [], Events: []),
        ["A published version whose spec.publish changed since is queued for publishing again, with the new options"] = new(
            Arrange(w =>
            {
                var stored = w.Catalog.Add("default", "files", "file", ReconcileWorld.Start);
                stored.Publications[0] = ReconcileWorld.Start;
                stored.PublicationFingerprints[0] = PublishOptionsFingerprint.Of(PublishOptions.None);
                w.Resources.AddSecret("signing-key", new() { ["private.asc"] = "-----BEGIN PGP PRIVATE KEY BLOCK-----" });
                return Signed(w.AddRepository(remote: null));
            }),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1)",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [],
            Then: (w, _, _) =>
            {
                var args = Assert.Single(w.Tasks.Publishes).Args;
                Assert.Equal(0, args.Version);
                Assert.NotNull(args.SealedSigningKey);
            }),
        ["A published version whose spec.publish did not change queues nothing"] = new(
            Arrange(w =>
            {
                var stored = w.Catalog.Add("default", "files", "file", ReconcileWorld.Start);
                stored.Publications[0] = ReconcileWorld.Start;
                stored.PublicationFingerprints[0] = PublishOptionsFingerprint.Of(PublishOptions.None);
                return w.AddRepository(remote: null);
            }),
            StepOutcome.Done, Reasons.Succeeded, "version 0 published",
            Ready(), Queued: [], Events: []),
        ["The version a sync created is queued for publishing once the sync is reported"] = new(
            Reconciled(w => Mirror(w), w => w.Syncs.Succeed(w.Stored().Id, added: 2)),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1)",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [Reasons.SyncSucceeded],
            Then: (w, _, _) => Assert.Equal(1, Assert.Single(w.Tasks.Publishes).Args.Version)),
    };

    private static readonly Dictionary<string, StepCase<Repository>> PruneVersions = new(StringComparer.Ordinal)
    {
        ["retainVersions prunes all but that many versions"] = new(
            Arrange(w => Unpublished(w.AddRepository(remote: null), r => r.Spec.RetainVersions = 3)),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Equal([(w.Stored().Id, "default/files", 3)], w.Pruner.Calls)),
        ["Without retainVersions nothing is pruned"] = new(
            Arrange(w => Unpublished(w.AddRepository(remote: null))),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Empty(w.Pruner.Calls)),
        ["A reconcile that waits for its publish prunes nothing yet"] = new(
            Arrange(w =>
            {
                var repository = w.AddRepository(remote: null);
                repository.Spec.RetainVersions = 3;
                return repository;
            }),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1)",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [],
            Then: (w, _, _) => Assert.Empty(w.Pruner.Calls)),
    };

    private static readonly Dictionary<string, StepCase<Repository>> Report = new(StringComparer.Ordinal)
    {
        ["Status shows the latest version, the newest five versions, the content count and the publication"] = new(
            Arrange(w =>
            {
                var stored = w.Catalog.Add("default", "files", "file", ReconcileWorld.Start);
                for (var i = 1; i <= 7; i++)
                {
                    stored.AddVersion(ReconcileWorld.Start.AddMinutes(i), 10, i == 7 ? 4 : 0);
                }

                stored.Publications[6] = ReconcileWorld.Start.AddMinutes(6);
                stored.Publications[7] = ReconcileWorld.Start.AddMinutes(8);
                return w.AddRepository(remote: null);
            }),
            StepOutcome.Done, Reasons.Succeeded, "version 7 with 66 units; version 7 published",
            Ready(), Queued: [], Events: [],
            Then: (_, r, _) =>
            {
                var status = r.Status!;
                Assert.Equal((7L, 66L), (status.LatestVersion!.Value, status.ContentCount!.Value));
                Assert.Equal([7L, 6, 5, 4, 3], status.Versions!.Select(v => v.Number));
                Assert.Equal((10L, 4L, 66L), (status.Versions![0].Added, status.Versions[0].Removed, status.Versions[0].ContentCount));
                Assert.Equal((7L, ReconcileWorld.Start.AddMinutes(8)), (status.Publication!.Version, status.Publication.Created));
            }),
        ["Without a publication the summary names only the version"] = new(
            Arrange(w => Unpublished(w.AddRepository(remote: null))),
            StepOutcome.Done, Reasons.Succeeded, "version 0 with 0 units",
            Ready(), Queued: [], Events: [],
            Then: (_, r, result) =>
            {
                Assert.Equal("version 0 with 0 units", result.Message);
                Assert.Null(r.Status!.Publication);
            }),
        ["A database error while reporting becomes ReconcileError, retried with backoff"] = new(
            Arrange(w =>
            {
                w.Catalog.Unavailable = new TimeoutException("database at postgres://packyard:pw@db.test/packyard unreachable");
                return Unpublished(w.AddRepository(remote: null));
            }),
            StepOutcome.Retry, Reasons.ReconcileError, "TimeoutException: database at postgres://db.test/packyard unreachable",
            Retrying(Reasons.ReconcileError), Queued: [], Events: [Reasons.ReconcileError]),
    };

    private static Func<ReconcileWorld, Task<Repository>> Arrange(Func<ReconcileWorld, Repository> arrange) => Arrangements.Given(arrange);

    private static Func<ReconcileWorld, Task<Repository>> Reconciled(Func<ReconcileWorld, Repository> arrange, Action<ReconcileWorld>? worker = null) =>
        Reconciled(Arrangements.Given(arrange), worker);

    private static Func<ReconcileWorld, Task<Repository>> Reconciled(Func<ReconcileWorld, Task<Repository>> arrange, Action<ReconcileWorld>? worker = null) =>
        Arrangements.Reconciled(arrange, (w, r) => w.ReconcileAsync(r), worker);

    /// <summary>The Remote "upstream" and the Repository "files" syncing from it.</summary>
    private static Repository Mirror(ReconcileWorld world)
    {
        world.AddRemote();
        return world.AddRepository();
    }

    /// <summary><paramref name="repository"/> with spec.publish.enabled false, and <paramref name="change"/> applied.</summary>
    private static Repository Unpublished(Repository repository, Action<Repository>? change = null)
    {
        repository.Spec.Publish = new RepositoryPublish { Enabled = false };
        change?.Invoke(repository);
        return repository;
    }

    private static Repository Signed(Repository repository)
    {
        repository.Spec.Publish = new RepositoryPublish { SigningKeySecretRef = new SecretReference { Name = "signing-key" } };
        return repository;
    }

    private static void Request(Repository repository, string at) =>
        repository.Metadata.Annotations = new Dictionary<string, string> { [PackyardGroup.RequestedAtAnnotation] = at };

    /// <summary>Reconciled (a sync queued), synced by a worker five minutes later (version 1, 2 units), and reconciled again.</summary>
    private static async Task<Repository> SyncedAsync(ReconcileWorld world, Repository repository)
    {
        await world.ReconcileAsync(repository);
        world.Time.Advance(TimeSpan.FromMinutes(5));
        world.Syncs.Succeed(world.Stored().Id, added: 2);
        await world.ReconcileAsync(repository);
        return repository;
    }

    /// <summary>Reconciled (a sync queued), failed by the worker (upstream unavailable), and reconciled again (the failure reported).</summary>
    private static async Task<Repository> FailedAsync(ReconcileWorld world, Repository repository)
    {
        await world.ReconcileAsync(repository);
        world.Syncs.Fail(world.Stored().Id, "UpstreamUnavailable", Refused);
        await world.ReconcileAsync(repository);
        return repository;
    }
}
