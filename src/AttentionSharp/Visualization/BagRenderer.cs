using System.Globalization;
using System.Net;
using System.Text;
using AttentionSharp.Data.Relations;

namespace AttentionSharp.Visualization;

/// <summary>A bag rendered for the terminal and for HTML.</summary>
/// <param name="Text">Plain text.</param>
/// <param name="Html">An HTML fragment (a section).</param>
public sealed record BagView(string Text, string Html);

/// <summary>
/// Renders a bag of sentences with the model's relation scores and each sentence's weight for the top non-NA relation
/// (selective attention, the mean, or the best sentence) beside its gold label; entity mentions are bracketed.
/// </summary>
public static class BagRenderer
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Renders bag <paramref name="index"/> with <paramref name="scores"/> (per relation) and <paramref name="weights"/> (per relation, per sentence).</summary>
    public static BagView Render(RelationBag bag, int index, RelationSet relations, double[] scores, double[][] weights, string aggregator)
    {
        int shown = Enumerable.Range(1, scores.Length - 1).MaxBy(r => scores[r]);
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(r => scores[r]).Take(4).ToArray();
        var text = new StringBuilder();
        text.Append(Inv, $"bag {index}: head '{bag.Head}', tail '{bag.Tail}'; knowledge base: {string.Join(", ", bag.Relations)}");
        if (bag.GoldRelations is { } g) text.Append(Inv, $"; sentences express: {(g.Count == 0 ? RelationSet.NA : string.Join(", ", g))}");
        text.Append('\n').Append("scores: ").Append(string.Join("  ", order.Select(r => $"{relations.Names[r]} {scores[r].ToString("0.000", Inv)}"))).Append('\n');
        string what = aggregator switch { "att" => "selective attention", "ave" => "mean", _ => "best sentence" };
        text.Append(Inv, $"weights for {relations.Names[shown]} ({what}):\n");
        int goldWidth = Math.Max(4, bag.Sentences.Max(s => (s.Gold ?? "?").Length));
        text.Append(Inv, $"  weight  {"gold".PadRight(goldWidth)}  sentence\n");
        var html = new StringBuilder();
        html.Append(Inv, $"<section><h2>bag {index}: {Enc(bag.Head)} &rarr; {Enc(bag.Tail)}</h2><p>knowledge base: {Enc(string.Join(", ", bag.Relations))}; top relation {Enc(relations.Names[shown])} ")
            .Append(Inv, $"({scores[shown]:0.000}); scores: {Enc(string.Join(", ", order.Select(r => $"{relations.Names[r]} {scores[r].ToString("0.000", Inv)}")))}</p>")
            .Append(Inv, $"<table><tr><th>weight ({what})</th><th>gold</th><th>sentence</th></tr>");
        for (int i = 0; i < bag.Sentences.Count; i++)
        {
            var s = bag.Sentences[i];
            double w = weights[shown][i];
            text.Append(Inv, $"  {w,6:0.000}  {(s.Gold ?? "?").PadRight(goldWidth)}  {Sentence(s, t => t, "[", "]")}\n");
            int shade = (int)Math.Round(255 - 155 * Math.Clamp(w, 0, 1));
            html.Append(Inv, $"<tr><td style=\"background:rgb(255,{shade},{shade})\">{w:0.000}</td><td>{Enc(s.Gold ?? "?")}</td><td>{Sentence(s, Enc, "<b>", "</b>")}</td></tr>");
        }
        html.Append("</table></section>");
        return new BagView(text.ToString().TrimEnd('\n'), html.ToString());
    }

    static string Enc(string s) => WebUtility.HtmlEncode(s);

    static string Sentence(RelationSentence s, Func<string, string> encode, string open, string close)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Tokens.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            if (i == s.Head.Start || i == s.Tail.Start) sb.Append(open);
            sb.Append(encode(s.Tokens[i]));
            if (i == s.Head.End - 1 || i == s.Tail.End - 1) sb.Append(close);
        }
        return sb.ToString();
    }

    /// <summary>A whole HTML page of rendered bags.</summary>
    public static string Html(IEnumerable<string> sections, string title) =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Enc(title)}</title><style>body{{font-family:sans-serif}}td,th{{padding:2px 8px;text-align:left}}</style></head><body><h1>{Enc(title)}</h1>{string.Concat(sections)}</body></html>\n";
}
