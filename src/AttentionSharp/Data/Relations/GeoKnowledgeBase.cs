using System.Globalization;
using System.Text.Json;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Data.Relations;

/// <summary>An entity of the knowledge base: a display name and a unique id (<c>kind:name</c>, with a qualifier where names repeat).</summary>
/// <param name="Name">The surface name sentences use.</param>
/// <param name="Id">Unique id.</param>
public sealed record KbEntity(string Name, string Id);

/// <summary>A fact <c>relation(head, tail)</c> of the knowledge base.</summary>
/// <param name="Relation">Relation name.</param>
/// <param name="Head">Head entity.</param>
/// <param name="Tail">Tail entity.</param>
public sealed record KbFact(string Relation, KbEntity Head, KbEntity Tail);

/// <summary>
/// Real geographic facts for the generated distant-supervision benchmark, read from three Debian packages
/// (docs/relex.md): tzdata's <c>zone.tab</c> (time-zone city -> country), iso-codes' ISO 3166-1/-2 JSON (top-level
/// subdivision -> country, and the country and US state names), python3-vega-datasets' <c>airports.csv</c> (US airport ->
/// city, city -> state).
/// </summary>
public static class GeoKnowledgeBase
{
    /// <summary>City (a time-zone city) located in a country.</summary>
    public const string CityCountry = "/location/city/country";
    /// <summary>Top-level ISO 3166-2 subdivision of a country.</summary>
    public const string SubdivisionCountry = "/location/subdivision/country";
    /// <summary>US city located in a state.</summary>
    public const string CityState = "/location/city/us_state";
    /// <summary>US airport serving a city.</summary>
    public const string AirportCity = "/aviation/airport/serves";

    /// <summary>The relations, in the order of the relation list (after NA).</summary>
    public static readonly string[] Relations = [CityCountry, SubdivisionCountry, CityState, AirportCity];

    const string ZoneTab = "zone.tab", Iso1 = "iso_3166-1.json", Iso2 = "iso_3166-2.json", Airports = "airports.csv";

    static void CheckZoneTab(string path)
    {
        int rows = ParseZoneTab(File.ReadAllLines(path)).Count;
        if (rows < 300) throw new InvalidDataException($"'{path}' has {rows} zone rows; a tzdata zone.tab has over 400");
    }

    /// <summary>tzdata's zone table (its size changes with every tzdata release, so it is checked by parsing).</summary>
    public static DatasetSource TzdataSource { get; } = new("kb-tzdata", "Debian tzdata zone.tab: time-zone city -> ISO country code (about 400 rows)",
        [new DataFile(ZoneTab, -1, null, CheckZoneTab)], [new DebianRoute("tzdata", n => "usr/share/zoneinfo/" + n)]);

    /// <summary>iso-codes 4.15.0's ISO 3166 country and subdivision lists.</summary>
    public static DatasetSource IsoCodesSource { get; } = new("kb-iso-codes", "Debian iso-codes 4.15: ISO 3166-1 countries and ISO 3166-2 subdivisions (JSON)",
        [new DataFile(Iso1, 43_284, "e606bf70c68aa1c976a9913f9a518dc3"), new DataFile(Iso2, 501_099, "c41d7ab24390513e632055c5e31632ce")],
        [new DebianRoute("iso-codes", n => "usr/share/iso-codes/json/" + n)]);

    /// <summary>vega-datasets 0.9's US airports (iata, name, city, state, country, latitude, longitude).</summary>
    public static DatasetSource VegaAirportsSource { get; } = new("kb-vega-airports", "Debian python3-vega-datasets 0.9: 3,376 US airports with city and state (CSV)",
        [new DataFile(Airports, 210_365, "87161615c082d48d58887450f664ca92")],
        [new DebianRoute("python3-vega-datasets", n => "usr/lib/python3/dist-packages/vega_datasets/_data/" + n)]);

    /// <summary>Obtains the three packages' files (once) and reads every fact.</summary>
    public static List<KbFact> Load(string cacheRoot, TextWriter log)
    {
        string tz = TzdataSource.Ensure(cacheRoot, log), iso = IsoCodesSource.Ensure(cacheRoot, log), vega = VegaAirportsSource.Ensure(cacheRoot, log);
        return Build(File.ReadAllLines(Path.Combine(tz, ZoneTab)), File.ReadAllText(Path.Combine(iso, Iso1)), File.ReadAllText(Path.Combine(iso, Iso2)),
            File.ReadAllText(Path.Combine(vega, Airports)));
    }

    /// <summary>Zone rows: (country code, city) from zone.tab lines (comments skipped; the city is the zone's last part, underscores as spaces).</summary>
    public static List<(string Country, string City)> ParseZoneTab(IEnumerable<string> lines)
    {
        var rows = new List<(string, string)>();
        foreach (var line in lines)
        {
            if (line.StartsWith('#') || line.Trim().Length == 0) continue;
            var p = line.Split('\t');
            if (p.Length < 3 || p[0].Length != 2) throw new InvalidDataException($"zone.tab: expected 'CC<TAB>coordinates<TAB>zone'; got '{line}'");
            string city = p[2].Split('/')[^1].Replace('_', ' ');
            rows.Add((p[0], city));
        }
        return rows;
    }

    /// <summary>Builds the facts from the four files' contents; names with commas or parentheses (inverted or annotated ISO names) are left out.</summary>
    public static List<KbFact> Build(IEnumerable<string> zoneTab, string iso1Json, string iso2Json, string airportsCsv)
    {
        static bool Clean(string n) => n.Length > 1 && !n.Contains(',') && !n.Contains('(') && Tokenizer.Text.Tokenize(n).Count > 0;
        var countries = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = JsonDocument.Parse(iso1Json))
            foreach (var c in doc.RootElement.GetProperty("3166-1").EnumerateArray())
            {
                string name = c.TryGetProperty("common_name", out var cn) ? cn.GetString()! : c.GetProperty("name").GetString()!;
                if (Clean(name)) countries[c.GetProperty("alpha_2").GetString()!] = name;
            }
        var facts = new List<KbFact>();
        KbEntity Country(string code) => new(countries[code], "country:" + code);
        bool Distinct(string a, string b) => !a.Contains(b, StringComparison.OrdinalIgnoreCase) && !b.Contains(a, StringComparison.OrdinalIgnoreCase);

        foreach (var (code, city) in ParseZoneTab(zoneTab))
            if (countries.TryGetValue(code, out var country) && Clean(city) && Distinct(city, country))
                facts.Add(new KbFact(CityCountry, new KbEntity(city, $"tzcity:{city}"), Country(code)));

        var usStates = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = JsonDocument.Parse(iso2Json))
            foreach (var s in doc.RootElement.GetProperty("3166-2").EnumerateArray())
            {
                if (s.TryGetProperty("parent", out _)) continue;   // top-level subdivisions only
                string code = s.GetProperty("code").GetString()!, name = s.GetProperty("name").GetString()!;
                string cc = code[..2];
                if (cc == "US") usStates[code[3..]] = name;
                if (countries.TryGetValue(cc, out var country) && Clean(name) && Distinct(name, country))
                    facts.Add(new KbFact(SubdivisionCountry, new KbEntity(name, $"subdivision:{code}"), Country(cc)));
            }

        var seenCity = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in CsvReader.Read(new StringReader(airportsCsv), "airports.csv").Skip(1))
        {
            if (p.Length < 5) throw new InvalidDataException($"airports.csv: expected iata,name,city,state,country,...; got '{string.Join(",", p)}'");
            string name = p[1].Trim(), city = p[2].Trim(), state = p[3].Trim();
            if (p[4].Trim() != "USA" || !usStates.TryGetValue(state, out var stateName) || !Clean(city) || !Clean(name)) continue;
            var cityEntity = new KbEntity(city, $"uscity:{city}|{state}");
            if (seenCity.Add(cityEntity.Id) && Distinct(city, stateName))
                facts.Add(new KbFact(CityState, cityEntity, new KbEntity(stateName, "usstate:" + state)));
            // Airport names that repeat a word of the city's name would give the pair away.
            var cityWords = Tokenizer.Text.Tokenize(city).ToHashSet();
            if (!Tokenizer.Text.Tokenize(name).Any(cityWords.Contains))
                facts.Add(new KbFact(AirportCity, new KbEntity(name, $"airport:{p[0].Trim()}"), cityEntity));
        }
        return facts;
    }
}
