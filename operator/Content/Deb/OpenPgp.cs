using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Packyard.Engine.Downloads;

namespace Packyard.Content.Deb;

/// <summary>
/// OpenPGP as APT uses it: verifying clearsigned InRelease and detached Release.gpg against trusted public keys, and
/// signing them with a repository key. Keys are accepted ASCII-armored or binary; a public key input may be a keyring.
/// </summary>
internal static class OpenPgp
{
    private const string SignedMessageHeader = "-----BEGIN PGP SIGNED MESSAGE-----";
    private const string SignatureHeader = "-----BEGIN PGP SIGNATURE-----";

    public static PgpPublicKeyRingBundle LoadPublicKeys(byte[] keys)
    {
        try
        {
            var rings = new List<PgpPublicKeyRing>();
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(keys));
            var factory = new PgpObjectFactory(input);
            while (factory.NextPgpObject() is { } item)
            {
                if (item is PgpPublicKeyRing ring)
                {
                    rings.Add(ring);
                }
            }

            return rings.Count > 0
                ? new PgpPublicKeyRingBundle(rings)
                : throw new DebSignatureException("the key in spec.deb.signingKeySecretRef holds no OpenPGP public key");
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new DebSignatureException($"the key in spec.deb.signingKeySecretRef is not an OpenPGP public key: {e.Message}", e);
        }
    }

    /// <summary>The key ids of a bundle, for messages.</summary>
    public static string KeyIds(PgpPublicKeyRingBundle keys) =>
        string.Join(", ", keys.GetKeyRings().Cast<PgpPublicKeyRing>().SelectMany(r => r.GetPublicKeys().Cast<PgpPublicKey>()).Select(k => KeyId(k.KeyId)));

    public static string KeyId(long id) => id.ToString("X16", CultureInfo.InvariantCulture);

    /// <summary>Verifies a clearsigned message and returns only the signed text (LF line endings, ending with a newline).</summary>
    public static string VerifyClearSigned(string message, PgpPublicKeyRingBundle? keys, string sourceName)
    {
        var lines = message.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0)
        {
            i++;
        }

        if (i >= lines.Length || lines[i].TrimEnd() != SignedMessageHeader)
        {
            throw new DebSignatureException($"{sourceName} is not a clearsigned OpenPGP message");
        }

        i++;
        while (i < lines.Length && lines[i].Length > 0)
        {
            i++; // armor headers (Hash: ...)
        }

        i++;
        var text = new List<string>();
        while (i < lines.Length && lines[i].TrimEnd() != SignatureHeader)
        {
            var line = lines[i++];
            text.Add(line.StartsWith("- ", StringComparison.Ordinal) ? line[2..] : line);
        }

        if (i >= lines.Length)
        {
            throw new DebSignatureException($"{sourceName} has no signature block");
        }

        if (keys is not null)
        {
            var canonical = Encoding.UTF8.GetBytes(string.Join("\r\n", text.Select(l => l.TrimEnd(' ', '\t', '\r'))));
            var signature = Encoding.ASCII.GetBytes(string.Join("\n", lines[i..]));
            Verify(canonical, signature, keys, sourceName, textMode: true);
        }

        return string.Join("\n", text) + "\n";
    }

    /// <summary>Verifies a detached signature over <paramref name="data"/>.</summary>
    public static void VerifyDetached(byte[] data, byte[] signature, PgpPublicKeyRingBundle keys, string sourceName) =>
        Verify(data, signature, keys, sourceName, textMode: false);

    private static void Verify(byte[] data, byte[] signatureBytes, PgpPublicKeyRingBundle keys, string sourceName, bool textMode)
    {
        List<PgpSignature> signatures;
        try
        {
            signatures = ReadSignatures(signatureBytes);
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new DebSignatureException($"{sourceName}: the signature cannot be read: {e.Message}", e);
        }

        if (signatures.Count == 0)
        {
            throw new DebSignatureException($"{sourceName} carries no OpenPGP signature");
        }

        var unknown = new List<string>();
        var good = false;
        foreach (var signature in signatures)
        {
            var key = keys.GetPublicKey(signature.KeyId);
            if (key is null)
            {
                unknown.Add(KeyId(signature.KeyId));
                continue;
            }

            signature.InitVerify(key);
            var content = textMode || signature.SignatureType != PgpSignature.CanonicalTextDocument ? data : CanonicalText(data);
            signature.Update(content);
            if (!signature.Verify())
            {
                throw new DebSignatureException($"{sourceName}: BAD signature from key {KeyId(signature.KeyId)}: the file was changed after signing");
            }

            good = true;
        }

        if (!good)
        {
            throw new DebSignatureException(
                $"{sourceName} is signed by unknown key {string.Join(", ", unknown)}; spec.deb.signingKeySecretRef trusts {KeyIds(keys)}");
        }
    }

    private static List<PgpSignature> ReadSignatures(byte[] signatureBytes)
    {
        var result = new List<PgpSignature>();
        using var input = PgpUtilities.GetDecoderStream(new MemoryStream(signatureBytes));
        var factory = new PgpObjectFactory(input);
        while (factory.NextPgpObject() is { } item)
        {
            if (item is PgpSignatureList list)
            {
                for (var n = 0; n < list.Count; n++)
                {
                    result.Add(list[n]);
                }
            }
            else if (item is PgpCompressedData compressed)
            {
                factory = new PgpObjectFactory(compressed.GetDataStream());
            }
        }

        return result;
    }

    /// <summary>Text-signature canonical form: CRLF line endings.</summary>
    private static byte[] CanonicalText(byte[] data) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));

    /// <summary>Clearsigns <paramref name="text"/> (InRelease) with the first signing key of <paramref name="secretKey"/>.</summary>
    public static string ClearSign(string text, byte[] secretKey)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        var canonical = Encoding.UTF8.GetBytes(string.Join("\r\n", lines.Select(l => l.TrimEnd(' ', '\t'))));
        var signature = Sign(canonical, secretKey, PgpSignature.CanonicalTextDocument);
        var output = new StringBuilder();
        output.Append(SignedMessageHeader).Append("\nHash: SHA256\n\n");
        foreach (var line in lines)
        {
            output.Append(line.StartsWith('-') ? "- " : "").Append(line).Append('\n');
        }

        output.Append(signature);
        return output.ToString();
    }

    /// <summary>An armored detached binary signature over <paramref name="data"/> (Release.gpg).</summary>
    public static string DetachedSign(byte[] data, byte[] secretKey) => Sign(data, secretKey, PgpSignature.BinaryDocument);

    private static string Sign(byte[] data, byte[] secretKeyBytes, int signatureType)
    {
        var (secretKey, privateKey) = LoadSigningKey(secretKeyBytes);
        var generator = new PgpSignatureGenerator(secretKey.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(signatureType, privateKey);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, DateTime.UtcNow);
        hashed.SetIssuerKeyID(false, secretKey.KeyId);
        generator.SetHashedSubpackets(hashed.Generate());
        generator.Update(data);
        var buffer = new MemoryStream();
        using (var armored = new ArmoredOutputStream(buffer))
        {
            armored.SetHeader("Version", null);
            generator.Generate().Encode(armored);
        }

        return Encoding.ASCII.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static (PgpSecretKey Secret, PgpPrivateKey Private) LoadSigningKey(byte[] bytes)
    {
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            var bundle = new PgpSecretKeyRingBundle(input);
            foreach (PgpSecretKeyRing ring in bundle.GetKeyRings())
            {
                foreach (PgpSecretKey key in ring.GetSecretKeys())
                {
                    if (key.IsSigningKey && !key.IsPrivateKeyEmpty)
                    {
                        var privateKey = key.ExtractPrivateKey([]);
                        if (privateKey is not null)
                        {
                            return (key, privateKey);
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new DebSignatureException($"the key in spec.publish.signingKeySecretRef is not a usable OpenPGP secret key: {e.Message}", e);
        }

        throw new DebSignatureException("the key in spec.publish.signingKeySecretRef holds no OpenPGP secret key that can sign without a passphrase");
    }
}
