using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>A secret reference names a Secret of the same namespace that holds what the reference needs.</summary>
internal static class SecretChecks
{
    public static IEnumerable<FieldViolation> Check(SecretReferenceSite site, string ns, ManifestIndex index)
    {
        var (path, reference, use) = site;
        if (reference.Name.Length == 0)
        {
            yield break; // required and missing: the schema check reported it
        }

        var document = index.Find("Secret", ns, reference.Name);
        if (document is null)
        {
            yield return new FieldViolation(path + ".name",
                $"{path}: no Secret named \"{reference.Name}\" in namespace {ns}" + Suggestions.DidYouMean(reference.Name, index.Names("Secret", ns), quoted: true));
            yield break;
        }

        if (document.Object is not Secret secret)
        {
            yield break; // The Secret's own errors are reported on it.
        }

        var keys = (secret.Data?.Keys ?? Enumerable.Empty<string>())
            .Union(secret.StringData?.Keys ?? Enumerable.Empty<string>(), StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var listed = keys.Count == 0 ? "no entries" : "entries " + string.Join(", ", keys);
        if (reference.Key is { } key)
        {
            if (!keys.Contains(key, StringComparer.Ordinal))
            {
                yield return new FieldViolation(path + ".key", $"{path}.key: Secret \"{reference.Name}\" has no entry \"{key}\" (it has {listed})");
            }

            yield break;
        }

        var problem = use switch
        {
            SecretUse.SingleValue when keys.Count != 1 =>
                $"Secret \"{reference.Name}\" must have exactly one entry when {path}.key is omitted (it has {listed}); set {path}.key",
            SecretUse.Credentials when !(keys.Contains("username") && keys.Contains("password")) && !keys.Contains("token") =>
                $"Secret \"{reference.Name}\" must have entries username and password, or token (it has {listed})",
            SecretUse.ClientCertificate when !(keys.Contains("tls.crt") && keys.Contains("tls.key")) =>
                $"Secret \"{reference.Name}\" must have entries tls.crt and tls.key (it has {listed})",
            SecretUse.EntryList when keys.Count == 0 =>
                $"Secret \"{reference.Name}\" has no entries",
            _ => null,
        };
        if (problem is not null)
        {
            yield return new FieldViolation(path + ".name", $"{path}: {problem}");
        }
    }
}
