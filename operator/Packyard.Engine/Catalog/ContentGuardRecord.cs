using System.Security.Cryptography;
using System.Text;

namespace Packyard.Engine.Catalog;

/// <summary>
/// A distribution's content guard as stored in the database: salted SHA-256 hashes of the allowed basic-auth
/// passwords (by user) and bearer tokens, never the secrets themselves.
/// </summary>
public sealed record ContentGuardRecord(string Salt, Dictionary<string, string> Users, List<string> Tokens)
{
    public static ContentGuardRecord Create(string salt, IReadOnlyDictionary<string, string> users, IEnumerable<string> tokens)
    {
        return new ContentGuardRecord(salt,
            users.ToDictionary(u => u.Key, u => Hash(salt, u.Value), StringComparer.Ordinal),
            tokens.Select(t => Hash(salt, t)).ToList());
    }

    public static ContentGuardRecord FromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, EngineJsonContext.Default.ContentGuardRecord)
        ?? throw new FormatException("content guard record is null");

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, EngineJsonContext.Default.ContentGuardRecord);

    public bool AllowsBasic(string user, string password) =>
        Users.TryGetValue(user, out var expected) && FixedEquals(expected, Hash(Salt, password));

    public bool AllowsToken(string token)
    {
        var hash = Hash(Salt, token);
        var allowed = false;
        foreach (var candidate in Tokens)
        {
            allowed |= FixedEquals(candidate, hash);
        }

        return allowed;
    }

    private static string Hash(string salt, string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(salt + "\0" + secret)));

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
