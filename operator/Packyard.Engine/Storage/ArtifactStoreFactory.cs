using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Packyard.Engine.Storage;

/// <summary>Creates a store from the command line's <c>--storage</c> value.</summary>
public static class ArtifactStoreFactory
{
    /// <summary>
    /// Creates the store that <paramref name="storage"/> describes.
    /// <list type="bullet">
    /// <item><description>
    /// Filesystem: a plain path (<c>/var/lib/packyard</c>, <c>./data</c>) or a file URL (<c>file:///var/lib/packyard</c>);
    /// see <see cref="FileSystemStorageOptions.Root"/>.
    /// </description></item>
    /// <item><description>
    /// S3: <c>s3://[ACCESS:SECRET@]HOST[:PORT]/BUCKET[?prefix=P&amp;region=R&amp;tls=false&amp;pathStyle=false&amp;spool=DIR&amp;timeout=5s&amp;transferTimeout=10m&amp;readTimeout=30s]</c>.
    /// <c>tls</c> (default <c>true</c>) picks https or http for the endpoint <c>HOST:PORT</c>; <c>region</c> defaults to
    /// <c>us-east-1</c>; <c>prefix</c> (default empty) is prepended to every key; <c>pathStyle</c> defaults to
    /// <c>true</c>; <c>spool</c> is the local directory for uploads in progress; <c>timeout</c>, <c>transferTimeout</c> and
    /// <c>readTimeout</c> (Go durations) are <see cref="S3StorageOptions.OperationTimeout"/>,
    /// <see cref="S3StorageOptions.TransferTimeout"/> and <see cref="S3StorageOptions.ReadTimeout"/>. Without <c>ACCESS:SECRET</c>
    /// the SDK's default credential chain is used. Percent-encode reserved characters in the keys (<c>/</c> is
    /// <c>%2F</c>, <c>@</c> is <c>%40</c>, <c>:</c> is <c>%3A</c>). Example:
    /// <c>s3://minio:minio123@127.0.0.1:9000/packyard?prefix=prod/&amp;tls=false</c>.
    /// </description></item>
    /// </list>
    /// Error messages never repeat the credentials.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or malformed.</exception>
    public static IArtifactStore FromUri(string storage, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var (fileSystem, s3) = Parse(storage);
        return fileSystem is not null
            ? new FileSystemArtifactStore(fileSystem, loggerFactory.CreateLogger<FileSystemArtifactStore>())
            : new S3ArtifactStore(s3!, loggerFactory.CreateLogger<S3ArtifactStore>());
    }

    /// <summary>Parses <paramref name="storage"/> into exactly one of the two option sets (see <see cref="FromUri"/>).</summary>
    internal static (FileSystemStorageOptions? FileSystem, S3StorageOptions? S3) Parse(string storage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storage);
        var separator = storage.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return (new FileSystemStorageOptions { Root = storage }, null);
        }

        var scheme = storage[..separator];
        if (scheme.Equals("file", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(storage, UriKind.Absolute, out var uri) || !uri.IsFile
                || (uri.Host.Length > 0 && !uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid(storage, "a file URL is file:///absolute/path");
            }

            // file://localhost/p is file:///p (LocalPath would make it a UNC path).
            var local = uri.Host.Length == 0 ? uri : new Uri(Uri.UriSchemeFile + "://" + uri.AbsolutePath);
            return (new FileSystemStorageOptions { Root = local.LocalPath }, null);
        }

        if (scheme.Equals("s3", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ParseS3(storage));
        }

        throw Invalid(storage, $"unknown scheme '{scheme}'; use a path, file:///path or s3://");
    }

    private static S3StorageOptions ParseS3(string storage)
    {
        if (!Uri.TryCreate(storage, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw Invalid(storage, "expected s3://[ACCESS:SECRET@]HOST[:PORT]/BUCKET[?prefix=…&region=…&tls=false]");
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length != 1)
        {
            throw Invalid(storage, segments.Length == 0
                ? "the bucket is missing: s3://HOST[:PORT]/BUCKET"
                : "the path must be just the bucket; give a key prefix with ?prefix=");
        }

        var options = new S3StorageOptions { Bucket = Uri.UnescapeDataString(segments[0]) };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Invalid(storage, "credentials must be ACCESS:SECRET (percent-encode ':' '/' '@' inside them)");
            }

            options.AccessKey = Uri.UnescapeDataString(uri.UserInfo[..colon]);
            options.SecretKey = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        var tls = true;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            switch (name)
            {
                case "prefix":
                    options.Prefix = value;
                    break;
                case "region":
                    options.Region = value.Length > 0 ? value : throw Invalid(storage, "region is empty");
                    break;
                case "tls":
                    tls = ParseBoolean(storage, name, value);
                    break;
                case "pathStyle":
                    options.ForcePathStyle = ParseBoolean(storage, name, value);
                    break;
                case "spool":
                    options.SpoolDirectory = value.Length > 0 ? value : throw Invalid(storage, "spool is empty");
                    break;
                case "timeout":
                    options.OperationTimeout = ParseDuration(storage, name, value);
                    break;
                case "transferTimeout":
                    options.TransferTimeout = ParseDuration(storage, name, value);
                    break;
                case "readTimeout":
                    options.ReadTimeout = ParseDuration(storage, name, value);
                    break;
                default:
                    throw Invalid(storage, $"unknown parameter '{name}'; known: prefix, region, tls, pathStyle, spool, timeout, transferTimeout, readTimeout");
            }
        }

        options.Endpoint = $"{(tls ? "https" : "http")}://{uri.GetComponents(UriComponents.HostAndPort, UriFormat.UriEscaped)}";
        return options;
    }

    private static bool ParseBoolean(string storage, string name, string value) => value switch
    {
        "true" or "1" or "" => true,
        "false" or "0" => false,
        _ => throw Invalid(storage, $"{name} must be true or false, not '{value}'"),
    };

    private static TimeSpan ParseDuration(string storage, string name, string value) =>
        Packyard.Api.Resources.GoDuration.TryParse(value, out var duration, out var error) && duration > TimeSpan.Zero
            ? duration
            : throw Invalid(storage, $"{name} must be a positive duration such as 5s or 2m ({error ?? "not positive"})");

    private static ArgumentException Invalid(string storage, string problem) =>
        new($"Invalid --storage value '{Redact(storage)}': {problem}.", nameof(storage));

    /// <summary>Replaces user info (credentials) with <c>***</c>.</summary>
    private static string Redact(string storage)
    {
        var start = storage.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return storage;
        }

        // Up to the last '@' before the query: an unencoded '/' in a secret must not end the redaction early.
        var query = storage.IndexOf('?', start);
        var at = storage.LastIndexOf('@', query < 0 ? storage.Length - 1 : query - 1);
        return at > start ? string.Concat(storage.AsSpan(0, start + 3), "***", storage.AsSpan(at)) : storage;
    }
}
