using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;
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

/// <summary>Test classes that run alone, after the parallel ones: the whole main job fills both cores itself
/// (LibTorch's threads), so beside other classes it only took their time and they took its (70 s in the test
/// command against 41 s alone, 2026-12-06).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}

public class LongestFirstTests
{
    [Fact]
    public void MarkedClassesComeFirstInRankOrderAsXunitNamesTheirCollections()
    {
        // The collections as xunit makes them (one per class), so a change of its naming fails here, not silently.
        var assembly = new TestAssembly(Reflector.Wrap(typeof(LongestFirst).Assembly));
        var factory = new CollectionPerClassTestCollectionFactory(assembly, new NullMessageSink());
        var types = new[] { typeof(DataTests), typeof(PyTorchTargetTests), typeof(CommandLineTests), typeof(TaskExperimentTests), typeof(PackageTests), typeof(MiniLmExperimentTests) };
        var ordered = new LongestFirst().OrderTestCollections(types.Select(t => factory.Get(Reflector.Wrap(t))).ToList()).ToList();
        Assert.Equal(new[] { typeof(PackageTests), typeof(TaskExperimentTests), typeof(PyTorchTargetTests) }.Select(t => "Test collection for " + t.FullName),
            ordered.Take(3).Select(c => c.DisplayName));
        // The whole job's class is in the collection that runs alone (xunit runs it after the parallel ones).
        Assert.Equal(RunsAlone.Name, factory.Get(Reflector.Wrap(typeof(MiniLmExperimentTests))).DisplayName);
        Assert.Equal(types.Length, ordered.Count);
    }
}
