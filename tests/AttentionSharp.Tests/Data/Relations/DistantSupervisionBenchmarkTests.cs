using System.Text;
using AttentionSharp.Data.Relations;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Relations;

public class DistantSupervisionBenchmarkTests
{
    static readonly string[] Syllables = ["ka", "lo", "mi", "ra", "sun", "te", "vo", "zen", "bar", "del", "fi", "gor"];

    /// <summary>A distinct made-up name for each (i, salt): i + 1000 salt written in base 12 with syllables as digits.</summary>
    static string Name(int i, int salt)
    {
        var sb = new StringBuilder();
        for (int v = i + 1000 * salt; v > 0 || sb.Length == 0; v /= 12) sb.Append(Syllables[v % 12]);
        return char.ToUpperInvariant(sb[0]) + sb.ToString()[1..];
    }

    /// <summary>
    /// A small knowledge base in the four source formats (zone.tab rows, ISO 3166-1/-2 JSON, airports.csv), with a few
    /// rows each filter must drop: a name with a comma, a city named like its country, an airport named after its city.
    /// </summary>
    internal static List<KbFact> TinyKb(int countries = 12, int citiesPerCountry = 6, int subdivisionsPerCountry = 8, int airports = 120)
    {
        var iso1 = new StringBuilder("{\"3166-1\": [");
        var iso2 = new StringBuilder("{\"3166-2\": [");
        var zone = new List<string> { "# comment" };
        for (int c = 0; c < countries; c++)
        {
            string cc = $"{(char)('A' + c)}Q";
            iso1.Append($"{(c > 0 ? "," : "")}{{\"alpha_2\": \"{cc}\", \"name\": \"{Name(c, 1)}ia\"}}");
            for (int s = 0; s < subdivisionsPerCountry; s++) iso2.Append($"{{\"code\": \"{cc}-{s:00}\", \"name\": \"{Name(c * 40 + s, 2)}\", \"type\": \"Province\"}},");
            iso2.Append($"{{\"code\": \"{cc}-X1\", \"name\": \"Sub, Inverted\", \"type\": \"Province\"}},{{\"code\": \"{cc}-X2\", \"name\": \"Child\", \"type\": \"District\", \"parent\": \"{cc}-00\"}},");
            for (int z = 0; z < citiesPerCountry; z++) zone.Add($"{cc}\t+0000+00000\tRegion/{Name(c * 40 + z, 5).Replace(' ', '_')}\tcomment");
        }
        iso1.Append(",{\"alpha_2\": \"US\", \"name\": \"United States\"}]}");
        zone.Add("ZZ\t+0000+00000\tRegion/Nowhere");                     // no such country in the list: dropped
        zone.Add($"AQ\t+0000+00000\tRegion/{Name(0, 1)}ia");     // named like its country: dropped               
        var states = new[] { "TX", "OH", "CA", "NY", "WA" };
        foreach (var st in states) iso2.Append($"{{\"code\": \"US-{st}\", \"name\": \"{Name(st[0] * 3 + st[1], 3)}\", \"type\": \"State\"}},");
        iso2.Length--;
        iso2.Append("]}");
        var csv = new StringBuilder("iata,name,city,state,country,latitude,longitude\n");
        for (int a = 0; a < airports; a++)
        {
            string city = Name(a, 7), state = states[a % states.Length];
            string name = a % 10 == 9 ? city + " Municipal" : Name(a * 5 + 1, 9) + " Field";
            csv.Append($"A{a:000},{name},{city},{state},USA,30.0,-90.0\n");
        }
        csv.Append("B000,\"Quoted, Airport\",Somewhere,TX,USA,1,2\nC000,Foreign,Paris,XX,France,1,2\n");
        return GeoKnowledgeBase.Build(zone, iso1.ToString(), iso2.ToString(), csv.ToString());
    }

    [Fact]
    public void KnowledgeBaseReadsEverySourceAndDropsNamesThatWouldGiveThePairAway()
    {
        var facts = TinyKb();
        int Count(string r) => facts.Count(f => f.Relation == r);
        Assert.Equal(12 * 6, Count(GeoKnowledgeBase.CityCountry));
        Assert.Equal(12 * 8 + 5, Count(GeoKnowledgeBase.SubdivisionCountry));      // the US states are subdivisions of the US too; no commas, no child subdivisions
        Assert.Equal(facts.Where(f => f.Relation == GeoKnowledgeBase.CityState).Select(f => f.Head.Id).Distinct().Count(), Count(GeoKnowledgeBase.CityState));
        Assert.Equal(108, Count(GeoKnowledgeBase.AirportCity));                     // 12 of 120 named after their city, the comma name dropped
        Assert.DoesNotContain(facts, f => f.Head.Name.Contains(',') || f.Tail.Name.Contains(','));
        var zoneRows = GeoKnowledgeBase.ParseZoneTab(["# x", "FR\t+4852+00220\tEurope/Paris", "US\t+404251-0740023\tAmerica/New_York\tEastern (most areas)"]);
        Assert.Equal([("FR", "Paris"), ("US", "New York")], zoneRows);
        Assert.Contains("zone.tab", Assert.Throws<InvalidDataException>(() => GeoKnowledgeBase.ParseZoneTab(["bad line"])).Message);
    }

    [Fact]
    public void TemplatesAreEnoughAndSplitBetweenTrainingAndTest()
    {
        foreach (var r in GeoKnowledgeBase.Relations) Assert.True(RelationTemplates.For(r).Length >= 20, r);
        Assert.True(RelationTemplates.CoMention.Length >= 40);
        var all = GeoKnowledgeBase.Relations.SelectMany(RelationTemplates.For).Concat(RelationTemplates.CoMention).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, t => Assert.True(t.Contains("{h}") && t.Contains("{t}"), t));
        var split = DistantSupervisionBenchmark.SplitTemplates(GeoKnowledgeBase.Relations, new DistantSupervisionOptions());
        foreach (var (r, parts) in split)
        {
            var (train, valid, test) = (parts[0], parts[1], parts[2]);
            Assert.Empty(train.Intersect(test));
            Assert.Empty(train.Intersect(valid));
            Assert.Empty(valid.Intersect(test));
            // Every core is used somewhere; test-only cores are a quarter of them.
            var cores = RelationTemplates.For(r);
            Assert.All(cores, c => Assert.Contains(train.Concat(valid).Concat(test), t => t.EndsWith(c)));
            int testOnly = cores.Count(c => !train.Any(t => t.EndsWith(c)) && test.Any(t => t.EndsWith(c)));
            Assert.Equal((int)Math.Round(cores.Length * 0.25), testOnly);
            Assert.Equal(7 * (cores.Length - testOnly - (int)Math.Round(cores.Length * 0.1)), train.Length);
        }
    }

    static string Skeleton(RelationSentence s)
    {
        var t = s.Tokens.Select((w, i) => i >= s.Head.Start && i < s.Head.End ? "{h}" : i >= s.Tail.Start && i < s.Tail.End ? "{t}" : w).ToList();
        var collapsed = t.Where((w, i) => i == 0 || w != t[i - 1] || !w.StartsWith('{')).ToList();
        return string.Join(' ', collapsed);
    }

    [Fact]
    public void GenerationIsDeterministicSplitByHeadAndMatchesItsDefinition()
    {
        var facts = TinyKb();
        var options = new DistantSupervisionOptions(Rho: 0.5, Seed: 3, FactsPerRelation: 80);
        var a = DistantSupervisionBenchmark.Generate(facts, options);
        var b = DistantSupervisionBenchmark.Generate(facts.AsEnumerable().Reverse().ToList(), options);
        Assert.Equal(a.Train.Select(OpenNreFormat.ToLine), b.Train.Select(OpenNreFormat.ToLine));
        Assert.Equal(a.Test.Select(OpenNreFormat.ToLine), b.Test.Select(OpenNreFormat.ToLine));
        var c = DistantSupervisionBenchmark.Generate(facts, options with { Seed = 4 });
        Assert.NotEqual(a.Train.Select(OpenNreFormat.ToLine), c.Train.Select(OpenNreFormat.ToLine));
        Assert.Equal(["NA", .. GeoKnowledgeBase.Relations], a.Relations.Names);

        // Split by head entity: no head name is a head in two splits.
        var heads = new[] { a.Train, a.Valid, a.Test }.Select(s => s.Select(x => x.Head.Name).ToHashSet()).ToArray();
        Assert.Empty(heads[0].Intersect(heads[2]));
        Assert.Empty(heads[0].Intersect(heads[1]));
        Assert.Empty(heads[1].Intersect(heads[2]));
        // Test and validation sentences use only their own templates.
        Assert.Empty(a.Train.Select(Skeleton).ToHashSet().Intersect(a.Test.Select(Skeleton)));
        Assert.Empty(a.Train.Select(Skeleton).ToHashSet().Intersect(a.Valid.Select(Skeleton)));
        Assert.Empty(a.Valid.Select(Skeleton).ToHashSet().Intersect(a.Test.Select(Skeleton)));

        var bags = new[] { a.Train, a.Valid, a.Test }.SelectMany(s => RelationBag.Group(s, false)).ToList();
        Assert.Equal(a.Stats.Bags.Sum(), bags.Count);
        Assert.InRange(a.Stats.NaBagShare, 0.76, 0.84);                                   // ~80% NA
        Assert.InRange((double)bags.Count(x => x.Relations[0] == "NA") / bags.Count, 0.76, 0.84);
        Assert.InRange(a.Stats.NoiseShare, 0.35, 0.55);                                    // rho 0.5, less the one always-expressing sentence of small bags
        Assert.All(bags, x => Assert.InRange(x.Sentences.Count, 1, 8));
        foreach (var bag in bags)
        {
            var gold = bag.GoldRelations!;
            Assert.True(gold.Count <= 1);
            if (bag.Relations[0] != "NA" && gold.Count == 1) Assert.Equal(bag.Relations[0], gold[0]);   // a positive bag expresses its own relation or none
            Assert.All(bag.Sentences, s => Assert.Equal(bag.Relations[0], s.Relation));
            Assert.All(bag.Sentences, s => Assert.True(s.Head.End <= s.Tokens.Length && s.Tail.End <= s.Tokens.Length));
        }
        int positive = bags.Count(x => x.Relations[0] != "NA");
        int silent = bags.Count(x => x.Relations[0] != "NA" && x.GoldRelations!.Count == 0);
        Assert.Equal(a.Stats.PositiveBagsWithoutExpression, silent);
        Assert.InRange((double)silent / positive, 0.01, 0.12);                          // ~5%
        Assert.Equal(a.Stats.NaBagsThatExpress, bags.Count(x => x.Relations[0] == "NA" && x.GoldRelations!.Count == 1));
        // An NA pair made by replacing a head never holds a true fact (by names); the only true pairs among silent NA bags are
        // facts the KB misses whose sentences happen to express nothing (3% x 5% of facts).
        var truth = facts.Select(f => (f.Head.Name, f.Tail.Name)).ToHashSet();
        var silentNa = bags.Where(x => x.Relations[0] == "NA" && x.GoldRelations!.Count == 0).ToList();
        Assert.InRange(silentNa.Count(x => truth.Contains((x.Sentences[0].Head.Name, x.Sentences[0].Tail.Name))), 0, 3);
    }

    [Fact]
    public void RhoZeroMeansEveryPositiveBagIsCleanExceptTheSilentOnes()
    {
        var d = DistantSupervisionBenchmark.Generate(TinyKb(), new DistantSupervisionOptions(Rho: 0, FactsPerRelation: 80, NoExpressionShare: 0, MissingFactShare: 0));
        Assert.Equal(0, d.Stats.NoiseShare);
        Assert.All(RelationBag.Group(d.Train, true).Where(b => b.Relations[0] != "NA"), b => Assert.All(b.Sentences, s => Assert.Equal(b.Relations[0], s.Gold)));
        var one = DistantSupervisionBenchmark.Generate(TinyKb(), new DistantSupervisionOptions(MaxBagSize: 1, FactsPerRelation: 80));
        Assert.All(RelationBag.Group(one.Test, false), b => Assert.Single(b.Sentences));
    }

    [Fact]
    public void NamesOnlyKeepsJustTheTwoNames()
    {
        var s = DistantSupervisionBenchmark.Fill("In {t}, the city of {h} grew.", new KbEntity("New Town", "x"), new KbEntity("Land", "y"), "NA", "NA");
        Assert.Equal(["in", "land", ",", "the", "city", "of", "new", "town", "grew", "."], s.Tokens);
        Assert.Equal((6, 8), (s.Head.Start, s.Head.End));
        var n = DistantSupervisionBenchmark.NamesOnly(s);
        Assert.Equal(["new", "town", "land"], n.Tokens);
        Assert.Equal((0, 2, 2, 3), (n.Head.Start, n.Head.End, n.Tail.Start, n.Tail.End));
    }

    [Fact]
    public void BadOptionsNameTheProperty()
    {
        Assert.Contains("Rho", Assert.Throws<ArgumentException>(() => new DistantSupervisionOptions(Rho: 1.5).Validate()).Message);
        Assert.Contains("MaxBagSize", Assert.Throws<ArgumentException>(() => new DistantSupervisionOptions(MaxBagSize: 0).Validate()).Message);
    }
}
