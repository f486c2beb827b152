using System.Text;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Tests.Controllers.Fakes;
using static Packyard.Tests.Controllers.Conditions;

namespace Packyard.Tests.Controllers;

/// <summary>
/// The Remote reconciler against in-memory engine ports, one table (see <see cref="StepCase{T}"/>): a Remote whose URL, Secrets
/// and numbers resolve is saved and Ready; one the user must fix stalls with the field to fix, and nothing is saved.
/// </summary>
public sealed class RemoteReconcilerStepTests
{
    public static TheoryData<string> Cases() => [.. Table.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_Remote_is_saved_when_its_settings_resolve_and_stalls_on_the_field_to_fix_otherwise(string name) =>
        Table[name].RunAsync((world, remote) => new RemoteReconciler(world.Services, world.Resources).ReconcileAsync(remote, CancellationToken.None), r => r.Status);

    private static readonly Dictionary<string, StepCase<Remote>> Table = new(StringComparer.Ordinal)
    {
        ["A Remote with a usable URL is saved and Ready"] = new(
            Arrange(w => w.AddRemote()),
            StepOutcome.Done, Reasons.Succeeded, "file remote at https://upstream.test/files/ (Immediate)",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) =>
            {
                var settings = w.Catalog.Remotes[("default", "upstream")].Settings;
                Assert.Equal(("file", new Uri("https://upstream.test/files/"), TimeSpan.FromMinutes(5)), (settings.Type, settings.BaseUrl, settings.Timeout));
            }),
        ["User-info in the URL is not shown in status"] = new(
            Arrange(w => w.AddRemote(url: "https://mirror:hunter2@upstream.test/files/")),
            StepOutcome.Done, Reasons.Succeeded, "file remote at https://upstream.test/files/ (Immediate)",
            Ready(), Queued: [], Events: [],
            Then: (_, r, _) => Assert.DoesNotContain("hunter2", r.Status!.Conditions![0].Message, StringComparison.Ordinal)),
        ["A username and password Secret is resolved into the saved settings"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("creds", new() { ["username"] = "mirror", ["password"] = "hunter2" });
                return Authenticated(w.AddRemote());
            }),
            StepOutcome.Done, Reasons.Succeeded, "file remote at https://upstream.test/files/",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) =>
            {
                var settings = w.Catalog.Remotes[("default", "upstream")].Settings;
                Assert.Equal(("mirror", "hunter2", (string?)null), (settings.Username, settings.Password, settings.Token));
            }),
        ["A token Secret is resolved into the saved settings"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("creds", new() { ["token"] = "tok-123456" });
                return Authenticated(w.AddRemote());
            }),
            StepOutcome.Done, Reasons.Succeeded, "file remote at https://upstream.test/files/",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Equal("tok-123456", w.Catalog.Remotes[("default", "upstream")].Settings.Token)),
        ["A URL that is not http, https or file stalls with InvalidSpec"] = new(
            Arrange(w => w.AddRemote(url: "ftp://upstream.test/files/")),
            StepOutcome.Stalled, Reasons.InvalidSpec, "spec.url 'ftp://upstream.test/files/' is not an absolute http, https or file URL",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Remotes)),
        ["A timeout that is not a duration stalls with InvalidSpec"] = new(
            Arrange(w =>
            {
                var remote = w.AddRemote();
                remote.Spec.Timeout = "soon";
                return remote;
            }),
            StepOutcome.Stalled, Reasons.InvalidSpec, "spec.timeout:",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Remotes)),
        ["A missing auth Secret stalls with SecretNotFound"] = new(
            Arrange(w => Authenticated(w.AddRemote())),
            StepOutcome.Stalled, Reasons.SecretNotFound, "spec.authSecretRef: Secret default/creds not found",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Remotes)),
        ["An auth Secret without a password or a token stalls with SecretNotFound naming the keys"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("creds", new() { ["username"] = "mirror" });
                return Authenticated(w.AddRemote());
            }),
            StepOutcome.Stalled, Reasons.SecretNotFound, "spec.authSecretRef: Secret default/creds needs keys username and password, or token",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A CA Secret that holds no PEM certificate stalls with InvalidSecret"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("ca", new() { ["ca.crt"] = "not a certificate" });
                var remote = w.AddRemote();
                remote.Spec.Tls = new RemoteTls { CaSecretRef = new SecretReference { Name = "ca" } };
                return remote;
            }),
            StepOutcome.Stalled, Reasons.InvalidSecret, "spec.tls.caSecretRef: Secret default/ca: the CA bundle holds no PEM certificate",
            Stalled(Reasons.InvalidSecret), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A signed type's signing-key Secret is read into the verification keys"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("debian-key", new() { ["public.asc"] = "-----BEGIN PGP PUBLIC KEY BLOCK-----" });
                return Signed(w.AddRemote(type: ContentType.Deb, url: "https://deb.test/debian/"));
            }),
            StepOutcome.Done, Reasons.Succeeded, "deb remote at https://deb.test/debian/ (Immediate)",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Equal("-----BEGIN PGP PUBLIC KEY BLOCK-----",
                Encoding.UTF8.GetString(w.Catalog.Remotes[("default", "upstream")].Settings.VerificationKeys!))),
        ["A missing signing-key Secret of a signed type stalls with SecretNotFound naming the type's field"] = new(
            Arrange(w => Signed(w.AddRemote(type: ContentType.Deb, url: "https://deb.test/debian/"))),
            StepOutcome.Stalled, Reasons.SecretNotFound, "spec.deb.signingKeySecretRef: Secret default/debian-key not found",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled]),
    };

    private static Func<ReconcileWorld, Task<Remote>> Arrange(Func<ReconcileWorld, Remote> arrange) => Arrangements.Given(arrange);

    private static Remote Authenticated(Remote remote)
    {
        remote.Spec.AuthSecretRef = new SecretReference { Name = "creds" };
        return remote;
    }

    private static Remote Signed(Remote remote)
    {
        remote.Spec.Deb = new DebRemoteOptions { Distributions = ["bookworm"], SigningKeySecretRef = new SecretReference { Name = "debian-key" } };
        return remote;
    }
}
