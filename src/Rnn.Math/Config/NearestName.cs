namespace Rnn.Math.Config;

/// <summary>
/// "Did you mean" for unknown names: the valid name at the smallest edit distance (case-insensitive),
/// offered only when it is close enough to be a plausible typo.
/// </summary>
public static class NearestName
{
    /// <summary>`; did you mean "lstm"?`, or empty when nothing is close.</summary>
    public static string Hint(string given, IEnumerable<string> valid)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in valid)
        {
            int distance = EditDistance(given.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        bool close = best is not null && bestDistance <= System.Math.Max(2, best.Length / 2);
        return close ? $"; did you mean \"{best}\"?" : "";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost 1.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = System.Math.Min(substitute, System.Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>`a, b, c`, cut after <paramref name="limit"/> names.</summary>
    public static string List(IReadOnlyList<string> names, int limit = 12)
        => names.Count <= limit ? string.Join(", ", names) : string.Join(", ", names.Take(limit)) + ", ...";
}
