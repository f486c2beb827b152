using System.Text.RegularExpressions;
using Packyard.Api.Resources;
using Packyard.Runtime;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Runtime;

/// <summary>Kinds are registered once: every API kind has one registration, and no other file of the host names a kind in a string.</summary>
public sealed partial class KindRegistrationTests
{
    /// <summary>The only files of operator/Packyard that may spell a kind name as a string.</summary>
    private static readonly string[] RegistrationFiles = ["Runtime/KindNames.cs"];

    [Fact]
    public void Every_api_kind_has_exactly_one_registration()
    {
        var kinds = typeof(Remote).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(PackyardResource<,>))
            .ToList();
        Assert.Equal(kinds.Select(t => t.Name).Order(StringComparer.Ordinal), KindRegistry.All.Select(k => k.Name).Order(StringComparer.Ordinal));
        Assert.All(kinds, t => Assert.Same(KindRegistry.Find(t.Name), KindRegistry.Of(Activator.CreateInstance(t)!)));
    }

    [Fact]
    public void No_kind_name_literal_appears_in_the_host_outside_the_registration()
    {
        var root = Path.Combine(RepositoryRoot.Path, "operator", "Packyard");
        var offending = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || RegistrationFiles.Contains(relative))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal))
                {
                    continue; // comments and doc text may name kinds
                }

                if (KindLiteral().IsMatch(code))
                {
                    offending.Add($"{relative}:{i + 1}: {code}");
                }
            }
        }

        Assert.True(offending.Count == 0, "kind names as string literals (use KindNames or KindRegistry):\n" + string.Join('\n', offending));
    }

    [GeneratedRegex("\"(Remote|Repository|Distribution|Promotion)\"")]
    private static partial Regex KindLiteral();
}
