namespace Packyard.Server;

/// <summary>How serving a file from its remote ended (see ContentRequestHandler.StreamOrFetchAsync).</summary>
internal enum UpstreamOutcome
{
    /// <summary>The upstream body was streamed to the client; the response is complete.</summary>
    Streamed,

    /// <summary>The file is now in the artifact store; the caller serves it.</summary>
    Fetched,

    /// <summary>The upstream failed; a 502 was answered.</summary>
    Failed,
}
