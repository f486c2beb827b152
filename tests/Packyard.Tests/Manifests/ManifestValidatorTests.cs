using System.Text;
using Packyard.Manifests;

using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

public sealed class ManifestValidatorTests
{
    /// <summary>A valid set: a Secret, a deb Remote, a deb Repository and a Distribution.</summary>
    private const string Base = """
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        stringData: {username: u, password: p}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: key}
        stringData: {public.asc: k}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: debian}
        spec: {type: deb, url: "https://deb.debian.org/debian/", authSecretRef: {name: creds}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: debian}
        spec: {type: deb, remoteRef: {name: debian}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: debian}
        spec: {basePath: debian/prod, repositoryRef: {name: debian}}
        """;

    private readonly ManifestLoader loader = new();

    private IReadOnlyList<ManifestError> Validate(string extra) =>
        ManifestValidator.Validate([.. loader.Load("base.yaml", Base), .. loader.Load("extra.yaml", extra)]);

    private static ManifestError Single(IReadOnlyList<ManifestError> errors) => Assert.Single(errors);

    [Fact]
    public void Base_set_is_valid()
    {
        Assert.Empty(Validate(""));
    }

    [Fact]
    public void Dangling_reference_is_reported_at_the_name()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r, namespace: default}
            spec:
              type: deb
              remoteRef:
                name: ubuntu
            """));

        Assert.Equal(new ManifestError("extra.yaml", 7, 5, "spec.remoteRef: no Remote named \"ubuntu\" in namespace default"), error);
    }

    [Fact]
    public void One_pass_reports_a_schema_error_a_dangling_reference_a_bad_cron_and_an_unknown_time_zone_of_one_resource()
    {
        var errors = Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: deb
              retainVersions: -3
              remoteRef: {name: debain}
              sync:
                schedule: "0 25 * * *"
                timeZone: Mars/Olympus
              publish:
                signingKeySecretRef: {name: kye}
            """);

        Assert.Collection(errors,
            error => Assert.Equal((6, "spec.retainVersions: must be at least 0, got -3"), (error.Line, error.Message)),
            error => Assert.Equal((7, "spec.remoteRef: no Remote named \"debain\" in namespace default; did you mean \"debian\"?"), (error.Line, error.Message)),
            error => Assert.Equal(9, error.Line),
            error => Assert.Equal((10, "spec.sync.timeZone: \"Mars/Olympus\" is not a known IANA time zone (e.g. UTC, Europe/Berlin)"), (error.Line, error.Message)),
            error => Assert.Equal((12, "spec.publish.signingKeySecretRef: no Secret named \"kye\" in namespace default; did you mean \"key\"?"), (error.Line, error.Message)));
        Assert.StartsWith("spec.sync.schedule: \"0 25 * * *\" is not a valid 5-field cron expression", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_far_from_every_name_gets_no_suggestion_and_a_missing_required_one_only_its_schema_error()
    {
        var errors = Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d}
            spec: {basePath: elsewhere, repositoryRef: {name: ubuntu}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: e}
            spec: {basePath: missing-ref}
            """);

        Assert.Equal(["spec.repositoryRef: no Repository named \"ubuntu\" in namespace default", "missing required field spec.repositoryRef"],
            errors.Select(error => error.Message));
    }

    [Fact]
    public void References_resolve_only_within_the_namespace()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d, namespace: other}
            spec: {basePath: other, repositoryRef: {name: debian}}
            """));

        Assert.Equal("spec.repositoryRef: no Repository named \"debian\" in namespace other", error.Message);
    }

    [Fact]
    public void Type_mismatch_between_repository_and_remote_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: rpms}
            spec:
              type: rpm
              remoteRef: {name: debian}
            """));

        Assert.Equal((6, "spec.remoteRef: Remote \"debian\" has type deb, but this Repository has type rpm; the types must match"), (error.Line, error.Message));
    }

    [Fact]
    public void Type_mismatch_between_promotion_repositories_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: files}
            spec: {type: file}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Promotion
            metadata: {name: p}
            spec:
              sourceRef: {name: debian}
              targetRef: {name: files}
            """));

        Assert.Equal((11, "spec.targetRef: Repository \"files\" has type file, but source Repository \"debian\" has type deb; the types must match"), (error.Line, error.Message));
    }

    [Fact]
    public void Bad_cron_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: file
              sync:
                schedule: "0 25 * * *"
            """));

        Assert.Equal(7, error.Line);
        Assert.StartsWith("spec.sync.schedule: \"0 25 * * *\" is not a valid 5-field cron expression", error.Message);
    }

    [Fact]
    public void Bad_time_zone_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: file
              sync:
                schedule: "0 2 * * *"
                timeZone: Europe/Atlantis
            """));

        Assert.Equal((8, "spec.sync.timeZone: \"Europe/Atlantis\" is not a known IANA time zone (e.g. UTC, Europe/Berlin)"), (error.Line, error.Message));
    }

    [Fact]
    public void Iana_time_zone_is_accepted()
    {
        Assert.Empty(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec: {type: file, sync: {schedule: "30 3 * * 1-5", timeZone: America/New_York}}
            """));
    }

    [Fact]
    public void Duplicate_base_path_is_reported_on_the_later_distribution()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: copy, namespace: default}
            spec:
              repositoryRef: {name: debian}
              basePath: debian/prod
            """));

        Assert.Equal((6, "spec.basePath \"debian/prod\" is already used by Distribution default/debian (base.yaml:21); base paths must be unique"), (error.Line, error.Message));
    }

    [Fact]
    public void Nested_base_path_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: parent}
            spec: {basePath: debian, repositoryRef: {name: debian}}
            """));

        Assert.Contains("overlaps base path \"debian/prod\" of Distribution default/debian", error.Message);
    }

    [Fact]
    public void Duplicate_identity_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: debian}
            spec: {type: deb, url: "https://example.com/"}
            """));

        Assert.Equal((1, "duplicate Remote default/debian; first defined at base.yaml:11"), (error.Line, error.Message));
    }

    [Fact]
    public void Secret_reference_to_a_missing_key_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: file
              publish:
                signingKeySecretRef:
                  name: key
                  key: private.asc
            """));

        Assert.Equal((9, "spec.publish.signingKeySecretRef.key: Secret \"key\" has no entry \"private.asc\" (it has entries public.asc)"), (error.Line, error.Message));
    }

    [Fact]
    public void Secret_reference_without_key_needs_a_single_entry_secret()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: r}
            spec:
              type: deb
              url: https://example.com/
              tls: {caSecretRef: {name: creds}}
            """));

        Assert.Equal(7, error.Line);
        Assert.Contains("must have exactly one entry when spec.tls.caSecretRef.key is omitted (it has entries password, username)", error.Message);
    }

    [Fact]
    public void Missing_secret_is_reported()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d}
            spec:
              basePath: guarded
              repositoryRef: {name: debian}
              contentGuard: {tokenSecretRef: {name: tokens}}
            """));

        Assert.Equal("spec.contentGuard.tokenSecretRef: no Secret named \"tokens\" in namespace default", error.Message);
    }

    [Theory]
    [InlineData("deb")]
    [InlineData("rpm")]
    public void A_missing_signing_key_secret_of_a_remote_type_block_is_reported_at_the_block(string type)
    {
        var error = Single(Validate($$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: signed}
            spec:
              type: {{type}}
              url: https://example.com/
              {{type}}:
                signingKeySecretRef: {name: upstream-key}
            """));

        Assert.Equal((8, $"spec.{type}.signingKeySecretRef: no Secret named \"upstream-key\" in namespace default"), (error.Line, error.Message));
    }

    [Fact]
    public void Errors_are_attributed_to_their_documents()
    {
        var documents = loader.Load("m.yaml", Base + """

            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: broken}
            spec: {type: deb, remoteRef: {name: missing}}
            """);

        var results = ManifestValidator.ValidateDocuments(documents);

        Assert.Equal(documents, results.Select(result => result.Document));
        Assert.Equal(["broken"], results.Where(result => !result.IsValid).Select(result => result.Document.Name));
    }

    [Fact]
    public void Uploads_into_a_repository_that_mirrors_its_remote_are_an_error_at_uploads_enabled()
    {
        var error = Single(Validate("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: mirrored}
            spec:
              type: deb
              remoteRef: {name: debian}
              sync:
                mode: Mirror
              uploads:
                enabled: true
            """));

        Assert.Equal(("extra.yaml", 10), (error.File, error.Line));
        Assert.StartsWith("spec.uploads.enabled: true with spec.sync.mode: Mirror", error.Message, StringComparison.Ordinal);
        Assert.Contains("Remote \"debian\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.sync.mode: Additive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Promotion", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("remoteRef: {name: debian}\n  sync: {mode: Additive}\n  uploads: {enabled: true}")]
    [InlineData("remoteRef: {name: debian}\n  uploads: {enabled: true}")]
    [InlineData("remoteRef: {name: debian}\n  sync: {mode: Mirror}\n  uploads: {enabled: false}")]
    [InlineData("sync: {mode: Mirror}\n  uploads: {enabled: true}")]
    public void Uploads_beside_an_additive_sync_or_without_a_remote_and_a_mirror_without_uploads_are_valid(string fields)
    {
        Assert.Empty(Validate($$"""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: fine}
            spec:
              type: deb
              {{fields}}
            """));
    }

    [Fact]
    public async Task Ed25519_keys_that_validate_accepts_are_ones_the_engine_signs_and_verifies_with()
    {
        using var home = new TemporaryDirectory();
        var key = await ThrowawayGpgKey.CreateAsync(Path.Combine(home.Path, "gnupg"), "Signing", ThrowawayGpgKey.Ed25519);
        try
        {
            static string Indented(byte[] armored) => string.Join("\n", Encoding.ASCII.GetString(armored).TrimEnd('\n').Split('\n').Select(l => "    " + l));
            var manifests = $$"""
                apiVersion: v1
                kind: Secret
                metadata: {name: ed25519}
                stringData:
                  private.asc: |
                {{Indented(key.SecretKey)}}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: ed25519-public}
                stringData:
                  public.asc: |
                {{Indented(key.PublicKey)}}
                ---
                apiVersion: packyard.io/v1alpha1
                kind: Remote
                metadata: {name: signed}
                spec:
                  type: deb
                  url: "https://example.com/"
                  deb:
                    signingKeySecretRef: {name: ed25519-public}
                ---
                apiVersion: packyard.io/v1alpha1
                kind: Repository
                metadata: {name: signed}
                spec:
                  type: deb
                  remoteRef: {name: signed}
                  publish:
                    signingKeySecretRef: {name: ed25519, key: private.asc}
                """;
            var loaded = loader.Load("ed25519.yaml", manifests);

            Assert.Empty(ManifestValidator.Validate([.. loader.Load("base.yaml", Base), .. loaded]));
            var release = Encoding.UTF8.GetBytes("Origin: Tests\nCodename: bookworm\n");
            var signature = Encoding.ASCII.GetBytes(OpenPgp.DetachedSign(release, key.SecretKey));
            var trusted = OpenPgp.LoadPublicKeys(key.PublicKey);
            OpenPgp.VerifyDetached(release, signature, trusted, "Release.gpg");
            Assert.Equal(key.Fingerprint[^16..], OpenPgp.KeyIds(trusted));
        }
        finally
        {
            await ProcessRunner.RunAsync("gpgconf", ["--kill", "gpg-agent"], environment: key.Environment, check: false);
        }
    }
}
