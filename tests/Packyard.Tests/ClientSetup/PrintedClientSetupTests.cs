using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Python;
using Packyard.Tests.Rpm;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.ClientSetup;

/// <summary>
/// The client set-up the status page prints works as written, with the real clients: twine uploads to the printed
/// <c>legacy/</c> URL and pip installs from the printed index; the printed apt commands fetch the sources file (key inline)
/// and <c>apt-get update</c> verifies the signed index; the printed dnf commands fetch the <c>.repo</c> and dnf installs
/// through it. Placeholders (PROJECT, PACKAGE) are the only words replaced.
/// </summary>
public sealed class PrintedClientSetupTests
{
    private const string Token = "printed-client-setup-token";

    [Fact]
    public async Task Twine_uploads_to_the_printed_legacy_url_and_pip_installs_from_the_printed_index_url()
    {
        using var workspace = new StandaloneWorkspace();
        workspace.Write("python.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: wheels, namespace: default}
            spec: {type: python, uploads: {enabled: true}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: wheels, namespace: default}
            spec: {basePath: python/wheels, repositoryRef: {name: wheels}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: closed, namespace: default}
            spec: {type: python}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: closed, namespace: default}
            spec: {basePath: python/closed, repositoryRef: {name: closed}}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(PrintedClientSetupTests) + "_python");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        await packyard.WaitForAsync("both distributions serve", r => r.IsReady("Distribution", "wheels") && r.IsReady("Distribution", "closed"));

        var twine = await PrintedSetup.CommandsAsync(packyard, "wheels", "twine");
        Assert.Equal($"twine upload --repository-url {packyard.BaseUrl}python/wheels/legacy/ dist/*", twine);
        var project = Path.Combine(workspace.Data, "project");
        PythonPackage.Wheel(Path.Combine(project, "dist"), "printed-app", "1.2.0");
        var uploaded = await PythonFixture.RunAsync("/bin/bash", ["-c", $"cd {project} && {twine}"], new Dictionary<string, string>
        {
            ["TWINE_USERNAME"] = "__token__", ["TWINE_PASSWORD"] = Token, ["TWINE_NON_INTERACTIVE"] = "1",
        });
        Assert.True(uploaded.Code == 0, uploaded.Output);
        await packyard.WaitForAsync("the upload is version 1", r => r.LatestVersion("wheels") == 1);

        var pip = await PrintedSetup.CommandsAsync(packyard, "wheels", "pip");
        Assert.Equal($"pip install --index-url {packyard.BaseUrl}python/wheels/simple/ PROJECT", pip);
        var venv = Path.Combine(workspace.Data, "venv");
        var created = await PythonFixture.RunAsync("/usr/bin/python3", ["-m", "venv", venv]);
        Assert.True(created.Code == 0, created.Output);
        await packyard.WaitUntilAsync("version 1 is published", async () =>
            (await packyard.Http.GetAsync("python/wheels/simple/printed-app/")).IsSuccessStatusCode);
        var installed = await PythonFixture.RunAsync("/bin/bash", ["-c", pip.Replace("PROJECT", "printed-app", StringComparison.Ordinal)],
            new Dictionary<string, string>
            {
                ["PATH"] = $"{venv}/bin:{Environment.GetEnvironmentVariable("PATH")}", ["PIP_NO_CACHE_DIR"] = "1", ["PIP_DISABLE_PIP_VERSION_CHECK"] = "1",
            });
        Assert.True(installed.Code == 0, installed.Output);
        var imported = await PythonFixture.RunAsync($"{venv}/bin/python", ["-c", "import printed_app; print(printed_app.VERSION)"]);
        Assert.Equal("1.2.0", imported.Output.Trim());

        // legacy/ takes uploads exactly as the upload API does: credentials required, and only where uploads are enabled.
        var wheel = PythonPackage.Wheel(Path.Combine(workspace.Data, "other"), "printed-app", "1.3.0");
        using (var anonymous = await PostWheelAsync(packyard, "python/wheels/legacy/", wheel, token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var closed = await PostWheelAsync(packyard, "python/closed/legacy/", wheel, Token))
        {
            Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
            Assert.Contains("spec.uploads.enabled: true", await closed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await PrintedSetup.ForAsync(packyard, "closed"), s => s.Title.StartsWith("twine", StringComparison.Ordinal));
        using (var elsewhere = await PostWheelAsync(packyard, "python/wheels/simple/", wheel, Token))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, elsewhere.StatusCode);
        }

        using (var withoutSlash = await PostWheelAsync(packyard, "python/wheels/legacy", wheel, Token))
        {
            Assert.Equal(HttpStatusCode.Created, withoutSlash.StatusCode);
        }
    }

    [Fact]
    public async Task The_printed_apt_commands_set_up_the_signed_distribution_and_apt_get_update_verifies_it()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await using var packyardKey = await AptUpstream.CreateAsync("Packyard");
        using var workspace = new StandaloneWorkspace();
        workspace.Write("deb.yaml", $$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: signing-key}
            data: {private.asc: {{Convert.ToBase64String(packyardKey.SecretKey)}}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: example}
            spec:
              type: deb
              url: file://{{upstream.Root}}/
              deb: {distributions: [bookworm], architectures: [amd64]}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: example}
            spec:
              type: deb
              remoteRef: {name: example}
              publish:
                signingKeySecretRef: {name: signing-key}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: example}
            spec:
              basePath: debian/example
              repositoryRef: {name: example}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(PrintedClientSetupTests) + "_apt");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("version 1 is published and served",
            r => r.IsReady("Distribution", "example") && r.PublishedVersion("example") == 1);

        var apt = await PrintedSetup.CommandsAsync(packyard, "example", "apt");
        Assert.Equal($"curl -fsSL -o /etc/apt/sources.list.d/example.sources {packyard.BaseUrl}debian/example/packyard.sources\napt-get update", apt);
        var key = await PrintedSetup.CommandsAsync(packyard, "example", "The public key alone");
        using var work = new TemporaryDirectory();
        var output = await PrintedSetup.RunIsolatedAsync($"""
            {apt}
            {key}
            echo "--- policy"
            apt-cache policy hello
            echo "--- key"
            GNUPGHOME=$(mktemp -d) gpg --show-keys --with-colons /etc/apt/keyrings/example.asc
            """, work.Path);
        var (update, rest) = Split(output, "--- policy");
        Assert.Contains($"{packyard.BaseUrl}debian/example bookworm InRelease", update, StringComparison.Ordinal);
        Assert.DoesNotContain("\nW:", "\n" + update, StringComparison.Ordinal);
        Assert.DoesNotContain("\nE:", "\n" + update, StringComparison.Ordinal);
        var (policy, keyListing) = Split(rest, "--- key");
        Assert.Contains("Candidate: 2.10-3", policy, StringComparison.Ordinal);
        Assert.Contains($"{packyard.BaseUrl}debian/example bookworm/main amd64 Packages", policy, StringComparison.Ordinal);
        Assert.Contains($"fpr:::::::::{packyardKey.Fingerprint}:", keyListing, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists("/etc/apt/sources.list.d/example.sources"), "the printed commands must not have touched the machine");
    }

    [Fact]
    public async Task The_printed_dnf_commands_fetch_the_repo_file_and_dnf_installs_through_it()
    {
        await using var upstream = await RpmUpstream.CreateAsync();
        await upstream.AddAsync(new RpmSpec("printed-tool", "1.0"));
        await upstream.IndexAsync();
        using var workspace = new StandaloneWorkspace();
        workspace.Write("rpm.yaml", $$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: signing-key}
            data: {private.asc: {{Convert.ToBase64String(upstream.SecretKey)}}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: el}
            spec: {type: rpm, url: "file://{{upstream.Root}}/"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: el}
            spec:
              type: rpm
              remoteRef: {name: el}
              publish:
                signingKeySecretRef: {name: signing-key}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: el}
            spec:
              basePath: el/tools
              repositoryRef: {name: el}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(PrintedClientSetupTests) + "_dnf");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("version 1 is published and served",
            r => r.IsReady("Distribution", "el") && r.PublishedVersion("el") == 1);

        var dnf = await PrintedSetup.CommandsAsync(packyard, "el", "dnf");
        Assert.Equal($"curl -fsSL -o /etc/yum.repos.d/el.repo {packyard.BaseUrl}el/tools/config.repo\ndnf install PACKAGE", dnf);
        var lines = dnf.Split('\n');
        using var work = new TemporaryDirectory();
        var root = Path.Combine(work.Path, "root");
        // The curl line as printed; dnf as printed plus what a Debian test machine needs in place of a Fedora host: an install
        // root (so nothing is installed on this machine), a release version, the printed repo folder named explicitly, and without
        // the machine's dnf 'local' plugin (its own repo has no key).
        var output = await PrintedSetup.RunIsolatedAsync($"""
            {lines[0]}
            cat /etc/yum.repos.d/el.repo
            mkdir -p {root}
            {lines[1].Replace("dnf install PACKAGE", $"dnf -y --installroot={root} --releasever=12 --disableplugin=local --setopt=reposdir=/etc/yum.repos.d --setopt=cachedir={work.Path}/cache install printed-tool", StringComparison.Ordinal)}
            rpm --root={root} -q printed-tool
            gpgconf --homedir "$(find {work.Path}/cache -type d -name pubring | head -1)" --kill gpg-agent 2>/dev/null || true
            """, work.Path);
        Assert.Contains("repo_gpgcheck=1", output, StringComparison.Ordinal);
        Assert.Contains("printed-tool-1.0-1.noarch", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/etc/yum.repos.d") && File.Exists("/etc/yum.repos.d/el.repo"), "the printed commands must not have touched the machine");
    }

    private static (string Before, string After) Split(string text, string marker)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{marker}' missing from:\n{text}");
        return (text[..at], text[(at + marker.Length)..]);
    }

    private static async Task<HttpResponseMessage> PostWheelAsync(PackyardProcess packyard, string path, string wheel, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent("file_upload"), ":action" },
                { new StringContent("1"), "protocol_version" },
                { new ByteArrayContent(await File.ReadAllBytesAsync(wheel)), "content", Path.GetFileName(wheel) },
            },
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"__token__:{token}")));
        }

        return await packyard.Http.SendAsync(request);
    }
}
