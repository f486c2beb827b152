using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Packyard.Engine.Downloads;

/// <summary>
/// Downloads from one remote: http(s) with the remote's auth, TLS and proxy settings, or file://. Enforces the
/// remote's concurrency (held until the body is disposed), rate limit, timeouts (spec.timeout for a whole request, headers and
/// body, and as the longest pause between reads) and retries with backoff. Refuses URLs off the remote's scheme or folder.
/// </summary>
public sealed class UpstreamClient : IUpstreamClient, IDisposable
{
    private readonly RemoteSettings remote;
    private readonly HttpClient http;
    private readonly SemaphoreSlim concurrency;
    private readonly RateLimiter? rateLimiter;
    private readonly ResiliencePipeline retry;

    // Sent only to the Remote's own host (see IsRemoteHost): metadata may link files on any host of the same scheme,
    // and those hosts must not receive the Remote's credentials (pip does the same).
    private readonly AuthenticationHeaderValue? authorization;

    // Tokens of registries that answer with a Bearer challenge (the registry token flow), per realm, service and scope.
    private readonly BearerTokens bearer;

    /// <summary>The most concurrent requests this client allows (the Remote's downloadConcurrency).</summary>
    public int MaxConcurrency => remote.Concurrency;

    public UpstreamClient(RemoteSettings remote, RetryOptions retryOptions, ILogger logger)
    {
        this.remote = remote;
        concurrency = new SemaphoreSlim(remote.Concurrency, remote.Concurrency);
        http = new HttpClient(CreateHandler(remote), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        bearer = new BearerTokens(remote, http, TimeProvider.System);
        if (remote.Token is not null)
        {
            authorization = new AuthenticationHeaderValue("Bearer", remote.Token);
        }
        else if (remote.Username is not null)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{remote.Username}:{remote.Password}"));
            authorization = new AuthenticationHeaderValue("Basic", basic);
        }

        http.DefaultRequestHeaders.UserAgent.ParseAdd("packyard/0.1");
        // Settings are validated where they are built (0.001 to 1,000,000 per second); out of range here, no limit rather than a crash.
        if (remote.RateLimit is { } perSecond && double.IsFinite(perSecond) && perSecond is >= 0.001 and <= 1_000_000)
        {
            var tokens = Math.Max(1, (int)Math.Ceiling(perSecond));
            rateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = tokens,
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / perSecond),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }

        retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retryOptions.MaxRetries,
                Delay = retryOptions.BaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<TransientUpstreamException>(),
                OnRetry = args =>
                {
                    EngineLog.DownloadRetry(logger, UrlSanitizer.Sanitize(args.Outcome.Exception?.Data["url"] as string ?? ""),
                        args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public async Task<UpstreamResponse> OpenAsync(Uri url, CancellationToken cancellationToken) =>
        await TryOpenAsync(url, cancellationToken)
        ?? throw new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())} was not found (404) on remote {remote.DisplayName}");

    public Task<UpstreamResponse?> TryOpenAsync(Uri url, CancellationToken cancellationToken) => TryOpenAsync(url, accept: null, cancellationToken);

    public Task<UpstreamResponse?> TryOpenAsync(Uri url, string? accept, CancellationToken cancellationToken) =>
        TryOpenAsync(url, accept, HttpMethod.Get, cancellationToken);

    public Task<UpstreamResponse?> TryHeadAsync(Uri url, string accept, CancellationToken cancellationToken) =>
        TryOpenAsync(url, accept, HttpMethod.Head, cancellationToken);

    private async Task<UpstreamResponse?> TryOpenAsync(Uri url, string? accept, HttpMethod method, CancellationToken cancellationToken)
    {
        // Every fetch, whatever gave the URL (metadata being read now, or a URL stored by an older version), stays on the
        // Remote's scheme, and file: only inside the Remote's own folder.
        if (remote.UrlProblem(url) is { } problem)
        {
            throw new InvalidUpstreamMetadataException($"refusing to fetch {UrlSanitizer.Sanitize(url.ToString())} for Remote {remote.DisplayName}: {problem}");
        }

        if (url.IsFile)
        {
            return LocalUpstreamFile.Open(remote.BaseUrl, url);
        }

        await concurrency.WaitAsync(cancellationToken);
        var released = false;
        try
        {
            var sent = await retry.ExecuteAsync(async token => await SendAsync(url, accept, method, token), cancellationToken);
            if (sent is not var (response, waited))
            {
                return null;
            }

            Stream inner;
            try
            {
                inner = await response.Content.ReadAsStreamAsync(cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            var body = new IdleTimeoutStream(inner, remote.Timeout, remote.Timeout - waited, url);
            released = true;
            return new UpstreamResponse(body, response.Content.Headers.ContentLength, response.Content.Headers.ContentType?.MediaType,
                new Releaser(response, concurrency))
            {
                Headers = HeadersOf(response),
            };
        }
        catch (TransientUpstreamException e)
        {
            throw new UpstreamUnavailableException(e.Message, e.InnerException);
        }
        finally
        {
            if (!released)
            {
                concurrency.Release();
            }
        }
    }

    /// <summary>
    /// Sends one attempt within the Remote's <c>spec.timeout</c>; returns the response (success only, null on 404/410) with
    /// how long the upstream took to answer, which the body's reads then keep counting against the same budget.
    /// </summary>
    private async Task<(HttpResponseMessage Response, TimeSpan Waited)?> SendAsync(Uri url, string? accept, HttpMethod method, CancellationToken cancellationToken)
    {
        if (rateLimiter is not null)
        {
            using var lease = await rateLimiter.AcquireAsync(1, cancellationToken);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(remote.Timeout);
        var response = await SendWithinAsync(url, accept, method, deadline.Token, cancellationToken);
        return response is null ? null : (response, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Whether <paramref name="url"/> is on the Remote's own host and port (an http Remote's https links included).</summary>
    private bool IsRemoteHost(Uri url) =>
        string.Equals(url.IdnHost, remote.BaseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && (url.Port == remote.BaseUrl.Port || (url.IsDefaultPort && remote.BaseUrl.IsDefaultPort));

    private async Task<HttpResponseMessage?> SendWithinAsync(Uri url, string? accept, HttpMethod method, CancellationToken deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
        HttpResponseMessage response;
        var display = UrlSanitizer.Sanitize(url.ToString());
        try
        {
            response = await SendOnceAsync(url, accept, method, bearer.Current(url), timeout.Token);
            if (response.StatusCode == HttpStatusCode.Unauthorized
                && response.Headers.TryGetValues("WWW-Authenticate", out var challenges)
                && BearerTokens.FindChallenge(challenges) is { } challenge)
            {
                response.Dispose();
                var token = await bearer.GetAsync(url, challenge, timeout.Token);
                response = await SendOnceAsync(url, accept, method, token, timeout.Token);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Transient($"{display}: no response within the Remote's spec.timeout ({remote.Timeout.TotalSeconds:0.###}s)", url, e);
        }
        catch (HttpRequestException e)
        {
            throw Transient($"{display}: {e.Message}", url, e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var status = (int)response.StatusCode;
        response.Dispose();
        if (status == 404 || status == 410)
        {
            return null;
        }

        if (status >= 500 || status is 408 or 429)
        {
            throw Transient($"{display}: HTTP {status} from upstream", url, null);
        }

        var hint = status is 401 or 403 ? " (check the Remote's authSecretRef)" : "";
        throw new UpstreamUnavailableException($"{display}: HTTP {status} from upstream{hint}");
    }

    /// <summary>One request: a Bearer token when one is known for the host, otherwise the Remote's own credentials on its own host.</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(Uri url, string? accept, HttpMethod method, string? bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }
        else if (authorization is not null && IsRemoteHost(url))
        {
            request.Headers.Authorization = authorization;
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>The response's headers and content headers by case-insensitive name, repeated ones joined with ", ".</summary>
    private static Dictionary<string, string> HeadersOf(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            headers[name] = string.Join(", ", values);
        }

        return headers;
    }

    private static TransientUpstreamException Transient(string message, Uri url, Exception? inner)
    {
        var exception = new TransientUpstreamException(message, inner);
        exception.Data["url"] = url.ToString();
        return exception;
    }

    private static SocketsHttpHandler CreateHandler(RemoteSettings remote)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = remote.Concurrency,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = remote.Timeout < TimeSpan.FromSeconds(30) ? remote.Timeout : TimeSpan.FromSeconds(30),
            UseProxy = remote.ProxyUrl is not null,
        };
        if (remote.ProxyUrl is not null)
        {
            handler.Proxy = new WebProxy(remote.ProxyUrl)
            {
                Credentials = remote.ProxyUsername is null ? null : new NetworkCredential(remote.ProxyUsername, remote.ProxyPassword),
            };
        }

        if (remote.ClientCertificatePem is not null && remote.ClientKeyPem is not null)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPem(remote.ClientCertificatePem, remote.ClientKeyPem)];
        }

        if (remote.InsecureSkipVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (remote.CaCertificatePem is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(remote.CaCertificatePem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        return handler;
    }

    public void Dispose()
    {
        http.Dispose();
        concurrency.Dispose();
        rateLimiter?.Dispose();
    }

    private sealed class Releaser(HttpResponseMessage response, SemaphoreSlim semaphore) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                response.Dispose();
                semaphore.Release();
            }
        }
    }
}

/// <summary>Retry settings for upstream requests.</summary>
public sealed record RetryOptions
{
    public int MaxRetries { get; init; } = 3;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(300);
}

/// <summary>A failure worth retrying (connection error, timeout, 5xx, 429).</summary>
internal sealed class TransientUpstreamException(string message, Exception? inner) : Exception(message, inner);
