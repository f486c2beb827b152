using Packyard.Api.Resources;
using Packyard.Manifests;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

public sealed class ManifestLoaderTests
{
    private readonly ManifestLoader loader = new();

    private ManifestDocument LoadSingle(string yaml) => Assert.Single(loader.Load("m.yaml", yaml));

    private ManifestError SingleError(string yaml) => Assert.Single(LoadSingle(yaml).Errors);

    [Fact]
    public void Valid_remote_is_converted_with_defaults_applied()
    {
        var document = LoadSingle("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata:
              name: debian
            spec:
              type: deb
              url: https://deb.debian.org/debian/
              deb: {distributions: [bookworm]}
            """);

        Assert.Empty(document.Errors);
        Assert.Equal(("Remote", "default", "debian", 1), (document.Kind, document.Namespace, document.Name, document.Line));
        var remote = Assert.IsType<Remote>(document.Object);
        Assert.Equal(ContentType.Deb, remote.Spec.Type);
        Assert.Equal(DownloadPolicy.Immediate, remote.Spec.Policy);
        Assert.Equal(8, remote.Spec.DownloadConcurrency);
        Assert.Equal("5m", remote.Spec.Timeout);
        Assert.Equal(["bookworm"], remote.Spec.Deb!.Distributions!);
    }

    [Fact]
    public void Multi_document_files_report_each_document_with_its_start_line_and_skip_other_kinds()
    {
        var documents = loader.Load("m.yaml", """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            ---
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: team}
            stringData: {token: abc}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec: {type: file}
            """);

        Assert.Equal([("Secret", 5, "team"), ("Repository", 10, "default")], documents.Select(d => (d.Kind, d.Line, d.Namespace)));
        Assert.All(documents, document => Assert.True(document.IsValid));
    }

    [Fact]
    public void Unknown_field_is_reported_with_its_line()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: file
              sync:
                shedule: "0 2 * * *"
            """);

        Assert.Equal(new ManifestError("m.yaml", 7, 5, "unknown field spec.sync.shedule; did you mean schedule?"), error);
    }

    [Theory]
    [InlineData("remoteRf", "unknown field spec.remoteRf; did you mean remoteRef?")] // a letter left out
    [InlineData("retainVresions", "unknown field spec.retainVresions; did you mean retainVersions?")] // two letters swapped
    [InlineData("RemoteRef", "unknown field spec.RemoteRef; did you mean remoteRef?")] // the case of a letter
    [InlineData("mirror", "unknown field spec.mirror")] // nothing within two edits
    public void An_unknown_field_suggests_the_known_field_within_two_edits(string field, string message)
    {
        var error = SingleError($$"""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: file
              {{field}}: x
            """);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Wrong_enum_value_is_reported_with_the_allowed_values()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: r}
            spec:
              type: deb
              url: https://example.com/
              policy: Lazy
            """);

        Assert.Equal(7, error.Line);
        Assert.Equal("spec.policy: unsupported value \"Lazy\"; allowed values: Immediate, OnDemand, Streamed", error.Message);
    }

    [Fact]
    public void Quoted_number_for_an_integer_field_is_a_type_error()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d}
            spec:
              basePath: a
              repositoryRef: {name: r}
              version: "7"
            """);

        Assert.Equal((7, "spec.version: expected an integer, got string \"7\""), (error.Line, error.Message));
    }

    [Fact]
    public void Plain_number_for_a_string_field_asks_for_quotes()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: r}
            spec:
              type: file
              url: https://example.com/
              file: {manifest: 123}
            """);

        Assert.Equal((7, "spec.file.manifest: expected a string, got integer 123; quote it to make it a string"), (error.Line, error.Message));
    }

    [Fact]
    public void Missing_required_field_is_reported_on_its_parent()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: r}
            spec:
              type: deb
            """);

        Assert.Equal((5, "missing required field spec.url"), (error.Line, error.Message));
    }

    [Fact]
    public void Pattern_minimum_and_maximum_are_enforced()
    {
        var document = LoadSingle("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: r}
            spec:
              type: deb
              url: ftp://example.com/
              downloadConcurrency: 0
              rateLimit: 0
            """);

        Assert.Equal(
        [
            (6, "spec.url: \"ftp://example.com/\" does not match the pattern " + Patterns.RemoteUrl),
            (7, "spec.downloadConcurrency: must be at least 1, got 0"),
            (8, "spec.rateLimit: must be at least 0.001, got 0"),
        ], document.Errors.Select(error => (error.Line, error.Message)));
        Assert.Null(document.Object);
    }

    [Fact]
    public void Empty_reference_name_is_reported()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d}
            spec:
              basePath: a
              repositoryRef: {name: ""}
            """);

        Assert.Equal((6, "spec.repositoryRef.name: must not be empty"), (error.Line, error.Message));
    }

    [Fact]
    public void Type_specific_block_not_matching_type_is_reported_at_the_block()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: r}
            spec:
              type: python
              url: https://pypi.org/
              deb:
                distributions: [bookworm]
            """);

        Assert.Equal((7, "spec.deb is only allowed when spec.type is deb"), (error.Line, error.Message));
    }

    [Fact]
    public void Publish_block_not_matching_type_is_reported_at_the_block()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: file
              publish:
                deb: {origin: Example}
            """);

        Assert.Equal((7, "spec.publish.deb is only allowed when spec.type is deb"), (error.Line, error.Message));
    }

    [Theory]
    [InlineData("[{codename: bookworm, suite: stable}, {codename: trixie, suite: stable}]")] // one suite, two codenames
    [InlineData("[{codename: bookworm, suite: stable}, {codename: bookworm, suite: oldstable}]")] // one codename, two suites
    [InlineData("[{codename: bookworm, suite: stable}, {codename: stable, suite: testing}]")] // a suite that is a codename
    public void Deb_suites_that_would_serve_two_distributions_under_one_name_are_reported(string suites)
    {
        var error = SingleError($$"""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: deb
              publish:
                deb:
                  suites: {{suites}}
            """);

        Assert.Equal((8, "each codename and each suite may appear once in spec.publish.deb.suites, and a suite must not be a codename"),
            (error.Line, error.Message));
    }

    [Theory]
    [InlineData("[{codename: ../etc, suite: stable}]", "spec.publish.deb.suites[0].codename")]
    [InlineData("[{codename: bookworm, suite: /stable}]", "spec.publish.deb.suites[0].suite")]
    [InlineData("[{codename: bookworm}]", "spec.publish.deb.suites[0].suite")]
    public void A_deb_suite_or_codename_that_is_not_a_distribution_name_is_reported_at_its_field(string suites, string field)
    {
        var error = SingleError($$"""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: deb
              publish:
                deb:
                  suites: {{suites}}
            """);

        Assert.Contains(field, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reserved_base_path_segment_is_reported()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d}
            spec:
              basePath: v2/images
              repositoryRef: {name: r}
            """);

        Assert.Equal((5, CrossFieldRules.ReservedBasePath), (error.Line, error.Message));
    }

    [Fact]
    public void Both_content_guards_are_reported()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: d}
            spec:
              basePath: a
              repositoryRef: {name: r}
              contentGuard:
                basicAuthSecretRef: {name: a}
                tokenSecretRef: {name: b}
            """);

        Assert.Equal((7, CrossFieldRules.BothContentGuards), (error.Line, error.Message));
    }

    [Fact]
    public void Promotion_to_its_own_source_is_reported()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Promotion
            metadata: {name: p}
            spec:
              sourceRef: {name: app}
              targetRef: {name: app}
            """);

        Assert.Equal((6, CrossFieldRules.SameSourceAndTarget), (error.Line, error.Message));
    }

    [Fact]
    public void Invalid_base64_in_a_secret_is_reported()
    {
        var error = SingleError("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data:
              good: aGVsbG8=
              bad: "not base64!"
            """);

        Assert.Equal((6, "data.bad is not valid base64 (use stringData for plain text)"), (error.Line, error.Message));
    }

    [Fact]
    public void Unknown_packyard_kind_is_an_error()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Mirror
            metadata: {name: m}
            """);

        Assert.Equal("unknown kind Mirror in packyard.io/v1alpha1; expected one of Distribution, Promotion, Remote, Repository", error.Message);
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_its_line()
    {
        var error = SingleError("""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata:
              name: [unclosed
            """);

        Assert.StartsWith("invalid YAML: ", error.Message);
        Assert.True(error.Line >= 4, $"line {error.Line}");
    }

    [Fact]
    public void Null_values_are_treated_as_absent()
    {
        var document = LoadSingle("""
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: r}
            spec:
              type: deb
              remoteRef:
              retainVersions: ~
            """);

        Assert.Empty(document.Errors);
        var repository = Assert.IsType<Repository>(document.Object);
        Assert.Null(repository.Spec.RemoteRef);
        Assert.Null(repository.Spec.RetainVersions);
    }

    [Fact]
    public void Files_are_found_recursively_in_ordinal_order_skipping_dot_folders()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("b.yml", "");
        directory.Write("a/z.yaml", "");
        directory.Write("B.yaml", "");
        directory.Write(".github/workflows/ci.yml", "");
        directory.Write("notes.txt", "");

        var files = ManifestLoader.FindFiles(directory.Path).Select(file => Path.GetRelativePath(directory.Path, file));

        Assert.Equal(["B.yaml", Path.Combine("a", "z.yaml"), "b.yml"], files);
    }
}
