using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Packyard.Verbs;

/// <summary>
/// Packyard's own HTTP API (<c>/api/v1</c> of standalone, or of the operator's content service): what only the engine knows
/// (versions, diffs, tasks) and standalone's resources, events and sync requests. Sends a bearer token when one is known
/// (operator mode requires one, see <see cref="Hosting.IReadAuthorizer"/>).
/// </summary>
internal sealed class PackyardApi(Uri server, string? token) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };

    public Uri Server => server;

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, type, cancellationToken);

    public Task<T> PostAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, type, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new VerbException($"Packyard at {server} is unreachable ({e.Message}); is `packyard run` running there? (--server URL)", 3);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                string? message = null;
                try
                {
                    message = JsonSerializer.Deserialize(body, VerbsJsonContext.Default.ApiError)?.Error;
                }
                catch (JsonException)
                {
                }

                throw new VerbException(message ?? response.StatusCode switch
                {
                    HttpStatusCode.NotFound => $"{server}{path.TrimStart('/')}: not found (is this Packyard, and recent enough?)",
                    _ => $"{server}{path.TrimStart('/')}: {(int)response.StatusCode} {response.ReasonPhrase}",
                }, response.StatusCode == HttpStatusCode.NotFound ? 4 : 1);
            }

            try
            {
                return JsonSerializer.Deserialize(body, type) ?? throw new VerbException($"{server}{path.TrimStart('/')}: empty answer");
            }
            catch (JsonException e)
            {
                throw new VerbException($"{server}{path.TrimStart('/')}: not Packyard's API ({e.Message})");
            }
        }
    }

    public void Dispose() => http.Dispose();
}
