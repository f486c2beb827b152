using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Packyard.Plugins;

/// <summary>
/// OpenPGP as package repositories use it: verifying clearsigned (APT's InRelease) and detached (Release.gpg,
/// repomd.xml.asc) signatures against trusted public keys from a Remote's <c>signingKeySecretRef</c>, and signing with a
/// repository key. Keys are accepted ASCII-armored or binary; a public key input may be a keyring. Shared by the deb and
/// rpm content types. RSA, DSA, ECDSA and EdDSA (algorithm 22: the Ed25519 keys gpg makes) keys verify and sign. RFC 9580's
/// own Ed25519/Ed448 (algorithms 27/28) keys can be read but BouncyCastle 2.7 cannot verify or make their signatures, and
/// newer algorithms (post-quantum ones) it cannot read at all: keys and signatures it cannot use are set aside one by one,
/// so those beside them still count.
/// </summary>
public static class OpenPgp
{
    private const string SignedMessageHeader = "-----BEGIN PGP SIGNED MESSAGE-----";
    private const string SignatureHeader = "-----BEGIN PGP SIGNATURE-----";

    /// <summary>What BouncyCastle 2.7 cannot verify or sign with, for messages.</summary>
    private const string UnsupportedAlgorithms = "such as RFC 9580's Ed25519 or Ed448, algorithms 27 and 28";

    /// <summary>
    /// Loads public keys, armored or binary, one key or a keyring. Keys of an algorithm this OpenPGP library cannot read are
    /// skipped, so the others still verify; no readable key at all is an error. The keyring is split into its keys first:
    /// BouncyCastle rejects a whole keyring for one key it cannot read.
    /// </summary>
    public static PgpPublicKeyRingBundle LoadPublicKeys(byte[] keys)
    {
        byte[] binary;
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(keys));
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            binary = buffer.ToArray();
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new SignatureVerificationException($"the key in the Remote's signingKeySecretRef is not an OpenPGP public key: {e.Message}", e);
        }

        var rings = new List<PgpPublicKeyRing>();
        foreach (var ring in SplitKeyRings(binary))
        {
            try
            {
                rings.Add(new PgpPublicKeyRing(ring));
            }
            catch (Exception e) when (e is PgpException or IOException or ArgumentException or NotSupportedException or InvalidCastException)
            {
                // An algorithm this library does not know (e.g. a post-quantum one): the remaining keys still count.
            }
        }

        return rings.Count > 0
            ? new PgpPublicKeyRingBundle(rings)
            : throw new SignatureVerificationException("the key in the Remote's signingKeySecretRef holds no usable OpenPGP public key");
    }

    /// <summary>Splits a binary keyring into one byte range per public key (each starting with a Public-Key packet, tag 6).</summary>
    private static List<byte[]> SplitKeyRings(byte[] data)
    {
        var rings = new List<byte[]>();
        var start = -1;
        foreach (var (tag, packetStart, _) in Packets(data))
        {
            if (tag == 6)
            {
                if (start >= 0)
                {
                    rings.Add(data[start..packetStart]);
                }

                start = packetStart;
            }
        }

        if (start >= 0)
        {
            rings.Add(data[start..]);
        }

        return rings;
    }

    /// <summary>The OpenPGP packets of <paramref name="data"/>: tag and byte range (header included).</summary>
    private static List<(int Tag, int Start, int End)> Packets(byte[] data)
    {
        var packets = new List<(int, int, int)>();
        var position = 0;
        while (position < data.Length)
        {
            var packetStart = position;
            var header = data[position++];
            if ((header & 0x80) == 0)
            {
                throw new SignatureVerificationException("OpenPGP data has a bad packet header");
            }

            int tag;
            long length;
            if ((header & 0x40) != 0)
            {
                tag = header & 0x3f;
                var first = Byte(data, position++);
                if (first < 192)
                {
                    length = first;
                }
                else if (first < 224)
                {
                    length = ((first - 192) << 8) + Byte(data, position++) + 192;
                }
                else if (first == 255)
                {
                    length = BigEndian32(data, position);
                    position += 4;
                }
                else
                {
                    throw new SignatureVerificationException("OpenPGP data uses partial packet lengths, which keys and signatures never do");
                }
            }
            else
            {
                tag = (header >> 2) & 0x0f;
                switch (header & 3)
                {
                    case 0: length = Byte(data, position); position += 1; break;
                    case 1: length = (Byte(data, position) << 8) + Byte(data, position + 1); position += 2; break;
                    case 2: length = BigEndian32(data, position); position += 4; break;
                    default: length = data.Length - position; break;
                }
            }

            position = (int)Math.Min(data.Length, position + length);
            packets.Add((tag, packetStart, position));
        }

        return packets;
    }

    private static long BigEndian32(byte[] data, int index) =>
        ((long)Byte(data, index) << 24) + (Byte(data, index + 1) << 16) + (Byte(data, index + 2) << 8) + Byte(data, index + 3);

    private static int Byte(byte[] data, int index) =>
        index < data.Length ? data[index] : throw new SignatureVerificationException("the key in the Remote's signingKeySecretRef is truncated");

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
            throw new SignatureVerificationException($"{sourceName} is not a clearsigned OpenPGP message");
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
            throw new SignatureVerificationException($"{sourceName} has no signature block");
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
        int unreadable;
        try
        {
            signatures = ReadSignatures(signatureBytes, out unreadable);
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new SignatureVerificationException($"{sourceName}: the signature cannot be read: {e.Message}", e);
        }

        if (signatures.Count == 0)
        {
            throw new SignatureVerificationException(unreadable > 0
                ? $"{sourceName} carries {unreadable} signature(s) of an algorithm Packyard cannot verify ({UnsupportedAlgorithms})"
                : $"{sourceName} carries no OpenPGP signature");
        }

        var unknown = new List<string>();
        var unsupported = new List<string>();
        var good = false;
        foreach (var signature in signatures)
        {
            var key = keys.GetPublicKey(signature.KeyId);
            if (key is null)
            {
                unknown.Add(KeyId(signature.KeyId));
                continue;
            }

            try
            {
                signature.InitVerify(key);
            }
            catch (PgpException)
            {
                unsupported.Add(KeyId(signature.KeyId));
                continue;
            }

            var content = textMode || signature.SignatureType != PgpSignature.CanonicalTextDocument ? data : CanonicalText(data);
            signature.Update(content);
            if (!signature.Verify())
            {
                throw new SignatureVerificationException($"{sourceName}: BAD signature from key {KeyId(signature.KeyId)}: the file was changed after signing");
            }

            good = true;
        }

        if (!good && unsupported.Count > 0)
        {
            throw new SignatureVerificationException(
                $"{sourceName} is signed by key {string.Join(", ", unsupported)} with an algorithm Packyard cannot verify ({UnsupportedAlgorithms})");
        }

        if (!good)
        {
            throw new SignatureVerificationException(
                $"{sourceName} is signed by unknown key {string.Join(", ", unknown)}; the Remote's signingKeySecretRef trusts {KeyIds(keys)}");
        }
    }

    /// <summary>
    /// The signatures this library can read; others (e.g. RFC 9580 Ed25519 ones beside EdDSA and RSA ones) are counted in
    /// <paramref name="unreadable"/>: each signature packet is read on its own, as BouncyCastle rejects the whole list for one it cannot read.
    /// </summary>
    private static List<PgpSignature> ReadSignatures(byte[] signatureBytes, out int unreadable)
    {
        byte[] binary;
        using (var input = PgpUtilities.GetDecoderStream(new MemoryStream(signatureBytes)))
        using (var buffer = new MemoryStream())
        {
            input.CopyTo(buffer);
            binary = buffer.ToArray();
        }

        var result = new List<PgpSignature>();
        unreadable = 0;
        foreach (var (tag, start, end) in Packets(binary))
        {
            if (tag != 2)
            {
                continue;
            }

            try
            {
                if (new PgpObjectFactory(binary[start..end]).NextPgpObject() is PgpSignatureList list)
                {
                    for (var n = 0; n < list.Count; n++)
                    {
                        result.Add(list[n]);
                    }
                }
            }
            catch (Exception e) when (e is PgpException or IOException or ArgumentException or NotSupportedException)
            {
                unreadable++;
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
        try
        {
            generator.InitSign(signatureType, privateKey);
        }
        catch (PgpException e)
        {
            throw new SignatureVerificationException(
                $"the key in spec.publish.signingKeySecretRef ({KeyId(secretKey.KeyId)}) uses an algorithm Packyard cannot sign with ({UnsupportedAlgorithms})", e);
        }

        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, DateTime.UtcNow);
        hashed.SetIssuerKeyID(false, secretKey.KeyId);
        hashed.SetIssuerFingerprint(false, secretKey); // as gpg does; RFC 9580 asks for it
        generator.SetHashedSubpackets(hashed.Generate());
        generator.Update(data);
        var buffer = new MemoryStream();
        using (var armored = ArmoredOutputStream.Build().ClearHeaders().Build(buffer))
        {
            generator.Generate().Encode(armored);
        }

        return Encoding.ASCII.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The ASCII-armored public key of the signing key in <paramref name="secretKey"/>, for clients to trust (repomd.xml.key).</summary>
    public static string ExportPublicKey(byte[] secretKey)
    {
        ArgumentNullException.ThrowIfNull(secretKey);
        var (secret, _) = LoadSigningKey(secretKey);
        using var input = PgpUtilities.GetDecoderStream(new MemoryStream(secretKey));
        var ring = new PgpSecretKeyRingBundle(input).GetSecretKeyRing(secret.KeyId);
        var buffer = new MemoryStream();
        using (var armored = ArmoredOutputStream.Build().ClearHeaders().Build(buffer))
        {
            foreach (PgpSecretKey key in ring.GetSecretKeys())
            {
                key.PublicKey.Encode(armored);
            }
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
            throw new SignatureVerificationException($"the key in spec.publish.signingKeySecretRef is not a usable OpenPGP secret key: {e.Message}", e);
        }

        throw new SignatureVerificationException("the key in spec.publish.signingKeySecretRef holds no OpenPGP secret key that can sign without a passphrase");
    }
}
