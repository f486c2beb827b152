using Microsoft.AspNetCore.Http;

namespace Packyard.Plugins;

/// <summary>
/// Writes the content server's own refusals (no such distribution 404, content guard 401, 405, an upstream's 502, a store's
/// 503) in a type's API format, e.g. the OCI distribution spec's JSON errors. The status code and headers the server chose
/// are kept; <paramref name="statusCode"/> and <paramref name="message"/> say what the server would have answered.
/// </summary>
public delegate Task ErrorResponder(HttpContext http, int statusCode, string message);
