using System.Security.Cryptography;
using System.Text;

namespace Packyard.Engine.Secrets;

/// <summary>
/// Reads the 256-bit key of <c>--secret-key-file</c>: 32 raw bytes, or that many encoded as base64 or hex text (surrounding
/// whitespace ignored), as <c>openssl rand -base64 32</c> or <c>openssl rand -hex 32</c> write it.
/// </summary>
public static class SecretKeyFile
{
    /// <summary>Reads the key; the file must exist (a mounted Secret, a file the operator made).</summary>
    /// <exception cref="SecretKeyFileException">The file is missing or does not hold a 256-bit key; the message says how to make one.</exception>
    public static byte[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretKeyFileException($"--secret-key-file {path}: cannot be read ({e.Message})", e);
        }

        return Parse(content) ?? throw new SecretKeyFileException(
            $"--secret-key-file {path}: does not hold a 256-bit key; write one with: openssl rand -base64 32 > {path}");
    }

    /// <summary>Reads the key at <paramref name="path"/>, first writing a new random one (mode 0600) when the file does not exist.</summary>
    public static byte[] ReadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretCipher.KeySize)) + "\n";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var file = new FileStream(path, options);
                file.Write(Encoding.ASCII.GetBytes(text));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first: use theirs.
            }
        }

        return Read(path);
    }

    private static byte[]? Parse(byte[] content)
    {
        if (content.Length == SecretCipher.KeySize)
        {
            return content;
        }

        var text = Encoding.ASCII.GetString(content).Trim();
        if (text.Length == SecretCipher.KeySize * 2 && text.All(Uri.IsHexDigit))
        {
            return Convert.FromHexString(text);
        }

        var buffer = new byte[SecretCipher.KeySize + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) && written == SecretCipher.KeySize ? buffer[..written] : null;
    }
}
