using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Packyard.Tests.Server;

/// <summary>Posts uploads to the content API as clients do (multipart form, bearer token).</summary>
internal static class UploadRequests
{
    public static string Path(string repository) => $"/api/v1/namespaces/default/repositories/{repository}/content";

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string repository, byte[] content, string fileName,
        params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", fileName } };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Path(repository)) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);
        return await http.SendAsync(request);
    }

    /// <summary>The <c>error</c> of a JSON error body.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
    }
}
