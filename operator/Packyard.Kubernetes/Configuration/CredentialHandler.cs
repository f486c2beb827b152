using System.Net;
using System.Net.Http.Headers;

namespace Packyard.Kubernetes.Configuration;

/// <summary>Adds the bearer token (static, from a file re-read every minute, or from an exec plugin) to every request.</summary>
internal sealed class CredentialHandler : DelegatingHandler
{
    private static readonly TimeSpan TokenFileRefresh = TimeSpan.FromMinutes(1);
    private readonly KubernetesClientConfiguration configuration;
    private readonly ExecCredentialPlugin? exec;
    private string? fileToken;
    private DateTimeOffset fileTokenRead;

    public CredentialHandler(KubernetesClientConfiguration configuration, HttpMessageHandler inner)
        : base(inner)
    {
        this.configuration = configuration;
        exec = configuration.Exec is { } config ? new ExecCredentialPlugin(config) : null;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            exec?.Invalidate();
            fileToken = null;
        }

        return response;
    }

    private async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (exec is not null)
        {
            return await exec.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }

        if (configuration.TokenFile is { } file)
        {
            if (fileToken is null || DateTimeOffset.UtcNow - fileTokenRead > TokenFileRefresh)
            {
                fileToken = (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim();
                fileTokenRead = DateTimeOffset.UtcNow;
            }

            return fileToken;
        }

        return configuration.AccessToken;
    }
}
