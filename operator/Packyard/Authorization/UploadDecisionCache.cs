using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Packyard.Authorization;

/// <summary>
/// Allowed uploads by (token, namespace, repository) for a short time, so a twine upload of many files costs one
/// TokenReview and one SubjectAccessReview. Keys hold a SHA-256 of the token, never the token; the size is bounded.
/// </summary>
internal sealed class UploadDecisionCache(TimeProvider time, TimeSpan duration, int capacity)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> allowed = new(StringComparer.Ordinal);

    public int Count => allowed.Count;

    public static string Key(string token, string @namespace, string repository) =>
        $"{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))} {@namespace}/{repository}";

    public bool IsAllowed(string key)
    {
        if (!allowed.TryGetValue(key, out var expires))
        {
            return false;
        }

        if (expires > time.GetUtcNow())
        {
            return true;
        }

        allowed.TryRemove(key, out _);
        return false;
    }

    public void Allow(string key)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (allowed.Count >= capacity)
        {
            foreach (var (staleKey, expires) in allowed)
            {
                if (expires <= now)
                {
                    allowed.TryRemove(staleKey, out _);
                }
            }

            // Still full of live answers: drop the ones that expire first.
            foreach (var (oldKey, _) in allowed.OrderBy(pair => pair.Value).Take(allowed.Count - capacity + 1).ToList())
            {
                allowed.TryRemove(oldKey, out _);
            }
        }

        allowed[key] = now + duration;
    }
}
