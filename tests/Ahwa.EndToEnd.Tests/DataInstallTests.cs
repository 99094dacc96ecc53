using System;
using System.IO;
using System.Linq;
using MiniLmSentiment;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The UCI sentiment sentences install from npm (sentiment@5.0.2) and load.</summary>
public class DataInstallTests
{
    [Fact]
    public void TheSentimentSentencesInstallFromNpmAndLoad()
    {
        var cache = Directory.CreateTempSubdirectory("ahwa-npm-").FullName;
        try
        {
            var folder = SentimentSentences.Install(cache);
            Assert.Equal(folder, SentimentSentences.Install(cache)); // cached: no second download
            var items = SentimentSentences.Load(folder);
            foreach (var site in SentimentSentences.Sites)
            {
                var part = items.Where(i => i.Source == site).ToList();
                Assert.Equal(1000, part.Count);
                Assert.Equal(500, part.Count(i => i.Label == 1)); // balanced
            }
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
