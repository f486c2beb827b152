namespace Packyard.Manifests;

/// <summary>"Did you mean …": the known name closest to a misspelt one, within an edit distance of two.</summary>
public static class Suggestions
{
    /// <summary>Most edits (insertions, deletions, substitutions, swaps of neighbours) between a typo and what it meant.</summary>
    public const int MaxDistance = 2;

    /// <summary>
    /// <c>; did you mean X?</c> for the candidate nearest to <paramref name="typed"/> (ties: the first in ordinal order), or
    /// an empty string when none is within <see cref="MaxDistance"/>.
    /// </summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates, bool quoted = false)
    {
        var best = candidates.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(candidate => (Candidate: candidate, Distance: Distance(typed, candidate)))
            .Where(match => match.Distance is > 0 and <= MaxDistance)
            .OrderBy(match => match.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? "" : quoted ? $"; did you mean \"{best.Candidate}\"?" : $"; did you mean {best.Candidate}?";
    }

    /// <summary>
    /// Optimal string alignment distance (Levenshtein plus swaps of neighbouring characters), or <see cref="MaxDistance"/> + 1
    /// for anything farther (names whose lengths differ by more are not compared at all; names are short, so the table is small).
    /// </summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (Math.Abs(a.Length - b.Length) > MaxDistance)
        {
            return MaxDistance + 1;
        }

        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            table[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            table[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var distance = Math.Min(Math.Min(table[i - 1, j] + 1, table[i, j - 1] + 1), table[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    distance = Math.Min(distance, table[i - 2, j - 2] + 1);
                }

                table[i, j] = distance;
            }
        }

        return Math.Min(table[a.Length, b.Length], MaxDistance + 1);
    }
}
