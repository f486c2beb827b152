using System.Security.Cryptography;
using System.Text;

namespace Packyard.Engine.Secrets;

/// <summary>
/// Encrypts credentials kept in the database (AES-256-GCM, BCL only) with the key of <c>--secret-key-file</c>. The nonce is
/// derived from the plaintext (HMAC-SHA256 under a separate subkey, as in SIV constructions), so sealing the same value twice
/// gives the same text: an unchanged Remote does not rewrite its row on every reconcile, and distinct values never share a
/// nonce. Sealed text is <c>v1:</c> + base64(nonce ‖ ciphertext ‖ tag).
/// </summary>
public sealed class SecretCipher
{
    /// <summary>The key length: 256 bits.</summary>
    public const int KeySize = 32;

    private const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] encryptionKey;
    private readonly byte[] nonceKey;
    private readonly byte[] fingerprintKey;

    public SecretCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"the secret key must be {KeySize} bytes (256 bits), not {key.Length}", nameof(key));
        }

        encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.ToArray(), KeySize, info: "packyard secrets aes-gcm"u8.ToArray());
        nonceKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.ToArray(), KeySize, info: "packyard secrets nonce"u8.ToArray());
        fingerprintKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.ToArray(), KeySize, info: "packyard secrets fingerprint"u8.ToArray());
    }

    /// <summary>
    /// A keyed digest (HMAC-SHA256) of <paramref name="text"/> that contains secrets, for comparing settings: unlike a
    /// plain hash stored in the database, it cannot be used to guess a weak password offline without the key.
    /// </summary>
    public string Fingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexString(HMACSHA256.HashData(fingerprintKey, Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Whether <paramref name="text"/> is sealed text (as opposed to a value written before encryption existed).</summary>
    public static bool IsSealed(string? text) => text is not null && text.StartsWith(Prefix, StringComparison.Ordinal);

    public string Seal(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + data.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        HMACSHA256.HashData(nonceKey, data).AsSpan(0, NonceSize).CopyTo(nonce);
        using var aes = new AesGcm(encryptionKey, TagSize);
        aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceSize, data.Length), sealedBytes.AsSpan(NonceSize + data.Length), "packyard"u8);
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>Decrypts <paramref name="text"/> made by <see cref="Seal"/>.</summary>
    /// <exception cref="SecretKeyException">The text was sealed with another key, or is damaged.</exception>
    public string Open(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] sealedBytes;
        try
        {
            sealedBytes = IsSealed(text) ? Convert.FromBase64String(text[Prefix.Length..]) : [];
        }
        catch (FormatException)
        {
            sealedBytes = [];
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new SecretKeyException($"the stored credentials of {what} are damaged (not sealed text)");
        }

        var length = sealedBytes.Length - NonceSize - TagSize;
        var data = new byte[length];
        try
        {
            using var aes = new AesGcm(encryptionKey, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), data, "packyard"u8);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SecretKeyException(
                $"the stored credentials of {what} cannot be decrypted with this secret key: they were written with another key "
                + "(check that every replica gets the same --secret-key-file), or the database row was altered", e);
        }

        return Encoding.UTF8.GetString(data);
    }
}
