using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Ahwa.EndToEnd.Tests.LongestFirst", "Ahwa.EndToEnd.Tests")]

namespace Ahwa.EndToEnd.Tests;

/// <summary>A test class whose tests take minutes (the main job's quick preset, a package build, the in-process
/// experiments): it starts before the classes without the mark, lowest <see cref="Rank"/> first.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StartsEarlyAttribute(int rank) : Attribute
{
    public int Rank => rank;
}

/// <summary>xunit starts the test collections (one per class here) in this order on its two threads (one per core).
/// The default order is by a hash of the collection, so a class of several minutes could start last and run alone
/// at the end; longest first leaves only short classes for the tail.</summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    const string Prefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.UniqueID);

    /// <summary>The mark's rank of the collection's class (an implicit collection is named after its class).</summary>
    static int Rank(ITestCollection collection)
    {
        string name = collection.DisplayName;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return int.MaxValue;
        name = name[Prefix.Length..];
        int space = name.IndexOf(' ', StringComparison.Ordinal);
        if (space >= 0) name = name[..space];
        return typeof(LongestFirst).Assembly.GetType(name)?.GetCustomAttribute<StartsEarlyAttribute>()?.Rank ?? int.MaxValue;
    }
}

public class LongestFirstTests
{
    [Fact]
    public void MarkedClassesComeFirstInRankOrderAsXunitNamesTheirCollections()
    {
        // The collections as xunit makes them (one per class), so a change of its naming fails here, not silently.
        var assembly = new TestAssembly(Reflector.Wrap(typeof(LongestFirst).Assembly));
        var factory = new CollectionPerClassTestCollectionFactory(assembly, new NullMessageSink());
        var types = new[] { typeof(DataTests), typeof(PyTorchTargetTests), typeof(CommandLineTests), typeof(MiniLmExperimentTests), typeof(PackageTests) };
        var ordered = new LongestFirst().OrderTestCollections(types.Select(t => factory.Get(Reflector.Wrap(t))).ToList()).ToList();
        Assert.Equal(new[] { typeof(MiniLmExperimentTests), typeof(PackageTests), typeof(PyTorchTargetTests) }.Select(t => "Test collection for " + t.FullName),
            ordered.Take(3).Select(c => c.DisplayName));
        Assert.Equal(types.Length, ordered.Count);
    }
}
