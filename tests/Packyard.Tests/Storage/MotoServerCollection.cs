using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Storage;

/// <summary>Test classes in this collection share one <see cref="MotoServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class MotoServerCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "moto";
}
