using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>
/// Checks a set of manifests as a whole (<c>packyard validate</c>, and standalone mode before it runs them):
/// references resolve within the namespace and agree on content type, secret references name existing keys,
/// schedules, time zones and durations parse, base paths are unique and not nested, identities are unique.
/// </summary>
public static class ManifestValidator
{
    /// <summary>Every error of every document, the loader's included, ordered by file, line and column.</summary>
    public static IReadOnlyList<ManifestError> Validate(IReadOnlyList<ManifestDocument> documents) =>
        ValidateDocuments(documents)
            .SelectMany(result => result.Errors)
            .OrderBy(error => error.File, StringComparer.Ordinal)
            .ThenBy(error => error.Line)
            .ThenBy(error => error.Column)
            .ToList();

    /// <summary>
    /// Each document with its own errors (loader and cross-document), in input order, so that a runner can
    /// mark the invalid resources Stalled and still run the rest.
    /// </summary>
    public static IReadOnlyList<DocumentValidation> ValidateDocuments(IReadOnlyList<ManifestDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var index = new ManifestIndex(documents);
        var basePaths = new List<(string BasePath, ManifestDocument Document)>();
        var results = new List<DocumentValidation>(documents.Count);
        foreach (var document in documents)
        {
            var errors = new List<ManifestError>(document.Errors);
            if (document.Kind.Length > 0 && document.Name.Length > 0
                && index.Find(document.Kind, document.Namespace, document.Name) is { } first && !ReferenceEquals(first, document))
            {
                errors.Add(document.ErrorAt("", $"duplicate {document.DisplayName}; first defined at {first.File}:{first.Line}"));
            }
            else if (document.Checkable is { } resource)
            {
                var violations = resource switch
                {
                    Remote remote => CheckRemote(remote),
                    Repository repository => CheckRepository(repository, document, index),
                    Distribution distribution => CheckDistribution(distribution, document, index, basePaths),
                    Promotion promotion => CheckPromotion(promotion, document, index),
                    _ => [],
                };
                var secrets = SecretReferenceSite.Find(resource).SelectMany(site => SecretChecks.Check(site, document.Namespace, index));
                errors.AddRange(violations.Concat(secrets).Select(violation => document.ErrorAt(violation.Path, violation.Message)));
            }

            results.Add(new DocumentValidation(document, errors));
        }

        return results;
    }

    private static IEnumerable<FieldViolation> CheckRemote(Remote remote)
    {
        if (!GoDuration.TryParse(remote.Spec.Timeout, out _, out var error))
        {
            yield return new FieldViolation("spec.timeout", "spec.timeout: " + error);
        }
    }

    private static IEnumerable<FieldViolation> CheckRepository(Repository repository, ManifestDocument document, ManifestIndex index)
    {
        var spec = repository.Spec;
        if (spec.RemoteRef is { } remoteRef)
        {
            foreach (var violation in CheckReference("spec.remoteRef", "Remote", remoteRef.Name, spec.Type, "this Repository", document, index))
            {
                yield return violation;
            }
        }

        if (spec.Uploads?.Enabled == true && spec.RemoteRef is { } mirrored && spec.Sync?.Mode == SyncMode.Mirror)
        {
            yield return new FieldViolation("spec.uploads.enabled",
                $"spec.uploads.enabled: true with spec.sync.mode: Mirror: every sync makes the repository equal to Remote \"{mirrored.Name}\" "
                + "and would remove what was uploaded, so uploads are refused (409); use spec.sync.mode: Additive, "
                + "or upload into a separate Repository without a remoteRef and bring its content in with a Promotion");
        }

        if (spec.Sync?.Schedule is { } schedule && SyncSchedule.CronError(schedule) is { } cronError)
        {
            yield return new FieldViolation("spec.sync.schedule", $"spec.sync.schedule: \"{schedule}\" is not a valid 5-field cron expression: {cronError}");
        }

        if (spec.Sync?.TimeZone is { } timeZone && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            yield return new FieldViolation("spec.sync.timeZone", $"spec.sync.timeZone: \"{timeZone}\" is not a known IANA time zone (e.g. UTC, Europe/Berlin)");
        }
        else if (spec.Sync is { Schedule: { } cron } sync && SyncSchedule.CronError(cron) is null
            && SyncSchedule.Parse(cron, sync.TimeZone, out _, out _) is { } never)
        {
            yield return new FieldViolation("spec.sync.schedule", never);
        }
    }

    private static IEnumerable<FieldViolation> CheckDistribution(
        Distribution distribution, ManifestDocument document, ManifestIndex index, List<(string BasePath, ManifestDocument Document)> basePaths)
    {
        var spec = distribution.Spec;
        var repositoryType = ManifestIndex.TypeOf(index.Find("Repository", document.Namespace, spec.RepositoryRef.Name));
        foreach (var violation in CheckReference("spec.repositoryRef", "Repository", spec.RepositoryRef.Name, null, "", document, index))
        {
            yield return violation;
        }

        if (spec.PullThrough is { } pullThrough)
        {
            var description = $"Repository \"{spec.RepositoryRef.Name}\"";
            foreach (var violation in CheckReference("spec.pullThrough.remoteRef", "Remote", pullThrough.RemoteRef.Name, repositoryType, description, document, index))
            {
                yield return violation;
            }
        }

        foreach (var (other, otherDocument) in basePaths)
        {
            if (string.Equals(other, spec.BasePath, StringComparison.Ordinal))
            {
                yield return new FieldViolation("spec.basePath",
                    $"spec.basePath \"{spec.BasePath}\" is already used by {otherDocument.DisplayName} ({otherDocument.File}:{otherDocument.Line}); base paths must be unique");
            }
            else if (other.StartsWith(spec.BasePath + "/", StringComparison.Ordinal) || spec.BasePath.StartsWith(other + "/", StringComparison.Ordinal))
            {
                yield return new FieldViolation("spec.basePath",
                    $"spec.basePath \"{spec.BasePath}\" overlaps base path \"{other}\" of {otherDocument.DisplayName} ({otherDocument.File}:{otherDocument.Line}); one base path may not contain another");
            }
        }

        basePaths.Add((spec.BasePath, document));
    }

    private static IEnumerable<FieldViolation> CheckPromotion(Promotion promotion, ManifestDocument document, ManifestIndex index)
    {
        var spec = promotion.Spec;
        var sourceType = ManifestIndex.TypeOf(index.Find("Repository", document.Namespace, spec.SourceRef.Name));
        var description = $"source Repository \"{spec.SourceRef.Name}\"";
        return CheckReference("spec.sourceRef", "Repository", spec.SourceRef.Name, null, "", document, index)
            .Concat(CheckReference("spec.targetRef", "Repository", spec.TargetRef.Name, sourceType, description, document, index));
    }

    /// <summary>
    /// The referenced object exists in the document's namespace and, when <paramref name="expectedType"/> is known,
    /// has that content type (<paramref name="expectedFrom"/> says where the expectation comes from).
    /// </summary>
    private static IEnumerable<FieldViolation> CheckReference(
        string path, string kind, string name, ContentType? expectedType, string expectedFrom, ManifestDocument document, ManifestIndex index)
    {
        if (name.Length == 0)
        {
            yield break; // required and missing: the schema check reported it
        }

        var target = index.Find(kind, document.Namespace, name);
        if (target is null)
        {
            yield return new FieldViolation(path + ".name",
                $"{path}: no {kind} named \"{name}\" in namespace {document.Namespace}" + Suggestions.DidYouMean(name, index.Names(kind, document.Namespace), quoted: true));
        }
        else if (expectedType is { } expected && ManifestIndex.TypeOf(target) is { } actual && actual != expected)
        {
            yield return new FieldViolation(path + ".name",
                $"{path}: {kind} \"{name}\" has type {actual.ToName()}, but {expectedFrom} has type {expected.ToName()}; the types must match");
        }
    }
}
