using System.ComponentModel.DataAnnotations;

namespace Packyard.Authorization;

/// <summary>How <see cref="KubernetesUploadAuthorizer"/> asks the API server and how long it trusts an answer.</summary>
public sealed class KubernetesUploadAuthorizationOptions
{
    /// <summary>How long an allowed (token, repository) answer is reused; refusals are never cached. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>At most this many cached answers; beyond it the expired ones go, then the oldest.</summary>
    [Range(1, 1_000_000)]
    public int CacheSize { get; set; } = 10_000;

    /// <summary>Audiences the TokenReview asks for; empty means the API server's own.</summary>
    public IList<string> Audiences { get; } = [];
}
