using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>
/// An entry of the Repository's <c>spec.publish.deb.suites</c>: the distribution published as <see cref="Codename"/> is also the
/// suite <see cref="Suite"/>, as Debian's <c>bookworm</c> is <c>stable</c>.
/// </summary>
[Description("A distribution's suite name: its Release says Suite: <suite> and Codename: <codename>, and it is served under dists/<suite>/ as well as dists/<codename>/.")]
public sealed class DebSuite
{
    /// <summary>Longest codename or suite.</summary>
    public const int MaxLength = 100;

    [Required, Pattern(Patterns.DebDistribution), MaxLength(MaxLength), Description("A distribution the repository's packages are published in (dists/<codename>/), e.g. bookworm.")]
    public string Codename { get; set; } = "";

    [Required, Pattern(Patterns.DebDistribution), MaxLength(MaxLength), Description("The suite name clients may use instead, e.g. stable.")]
    public string Suite { get; set; } = "";
}
