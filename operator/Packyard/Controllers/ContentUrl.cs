namespace Packyard.Controllers;

/// <summary>The public base URL distributions are served under (e.g. http://127.0.0.1:8080/).</summary>
public sealed record ContentUrl(string BaseUrl)
{
    public string For(string basePath) => BaseUrl.TrimEnd('/') + "/" + basePath + "/";
}
