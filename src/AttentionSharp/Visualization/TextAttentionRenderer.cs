using System.Globalization;
using System.Net;
using System.Text;
using AttentionSharp.Models.TextClassification;

namespace AttentionSharp.Visualization;

/// <summary>
/// Shows what a text classifier attended to: the words on a background whose strength is the word's attention weight
/// relative to the largest weight of its sentence (and, for HAN, each sentence marked by its sentence weight), as
/// terminal colours or a self-contained HTML page; both also list every word with its weight.
/// </summary>
public static class TextAttentionRenderer
{
    static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Terminal text: the prediction, the coloured text (ANSI 24-bit backgrounds when <paramref name="color"/>), then every word with its weight.</summary>
    public static string Terminal(TextPrediction p, bool color)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"prediction: {p.Label} ({string.Join(", ", p.ClassNames.Select((c, i) => $"{c} {F(p.Probabilities[i])}"))})");
        if (p.WordWeights == null)
        {
            sb.AppendLine("this model pools without attention (mean/max/last): there are no weights to show; tokens read:");
            sb.AppendLine(string.Join(' ', p.Tokens.SelectMany(s => s)));
            return sb.ToString();
        }
        for (int s = 0; s < p.Tokens.Count; s++)
        {
            if (p.SentenceWeights != null)
            {
                double sw = p.SentenceWeights[s] / Math.Max(1e-12, p.SentenceWeights.Max());
                sb.Append(color ? $"{Background(sw, sentence: true)}[{F(p.SentenceWeights[s])}]\u001b[0m " : $"[{F(p.SentenceWeights[s])}] ");
            }
            double max = Math.Max(1e-12, p.WordWeights[s].Max());
            for (int i = 0; i < p.Tokens[s].Count; i++)
            {
                string word = p.Tokens[s][i];
                sb.Append(color ? $"{Background(p.WordWeights[s][i] / max, sentence: false)}{word}\u001b[0m" : word);
                sb.Append(' ');
            }
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.AppendLine(p.SentenceWeights != null ? "sentence  weight    word  weight" : "weight    word");
        for (int s = 0; s < p.Tokens.Count; s++)
            for (int i = 0; i < p.Tokens[s].Count; i++)
                sb.AppendLine(p.SentenceWeights != null
                    ? $"{s + 1,8}  {F(p.SentenceWeights[s])}  {p.Tokens[s][i]}  {F(p.WordWeights[s][i])}"
                    : $"{F(p.WordWeights[s][i])}  {p.Tokens[s][i]}");
        return sb.ToString();
    }

    static string Background(double strength, bool sentence)
    {
        strength = Math.Clamp(strength, 0, 1);
        var (r, g, b) = Shade(strength, sentence);
        string fg = strength > 0.6 && sentence ? "\u001b[38;2;255;255;255m" : "\u001b[38;2;0;0;0m";
        return $"\u001b[48;2;{r};{g};{b}m{fg}";
    }

    static (int R, int G, int B) Shade(double strength, bool sentence) => sentence
        ? ((int)(255 - 200 * strength), (int)(255 - 140 * strength), 255)  // white to blue
        : (255, (int)(255 - 120 * strength), (int)(255 - 255 * strength)); // white to orange

    /// <summary>A self-contained HTML page (inline style, no script) showing the text with each word highlighted by its weight; a word's title shows the exact weight.</summary>
    public static string Html(TextPrediction p, string title)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.AppendLine($"<title>{WebUtility.HtmlEncode(title)}</title>");
        sb.AppendLine("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.9}" +
                      ".w{padding:0.1em 0.2em;border-radius:0.2em}.s{display:inline-block;min-width:5em;margin-right:0.5em;padding:0 0.3em;border-radius:0.2em;font-size:0.8em}" +
                      "table{border-collapse:collapse;margin-top:2em}td,th{border:1px solid #ccc;padding:0.1em 0.5em;text-align:left}</style>");
        sb.AppendLine("</head><body>");
        sb.AppendLine($"<h1>{WebUtility.HtmlEncode(title)}</h1>");
        sb.AppendLine($"<p><b>prediction: {WebUtility.HtmlEncode(p.Label)}</b> — " +
                      string.Join(", ", p.ClassNames.Select((c, i) => $"{WebUtility.HtmlEncode(c)} {F(p.Probabilities[i])}")) + "</p>");
        if (p.WordWeights == null)
        {
            sb.AppendLine("<p>This model pools without attention (mean/max/last): there are no weights to show.</p>");
            sb.AppendLine($"<p>{WebUtility.HtmlEncode(string.Join(' ', p.Tokens.SelectMany(s => s)))}</p>");
        }
        else
        {
            for (int s = 0; s < p.Tokens.Count; s++)
            {
                sb.Append("<p>");
                if (p.SentenceWeights != null)
                {
                    var (r, g, b) = Shade(p.SentenceWeights[s] / Math.Max(1e-12, p.SentenceWeights.Max()), sentence: true);
                    sb.Append($"<span class=\"s\" style=\"background:rgb({r},{g},{b})\" title=\"sentence weight {F(p.SentenceWeights[s])}\">{F(p.SentenceWeights[s])}</span>");
                }
                double max = Math.Max(1e-12, p.WordWeights[s].Max());
                for (int i = 0; i < p.Tokens[s].Count; i++)
                {
                    var (r, g, b) = Shade(p.WordWeights[s][i] / max, sentence: false);
                    sb.Append($"<span class=\"w\" style=\"background:rgb({r},{g},{b})\" title=\"{F(p.WordWeights[s][i])}\">{WebUtility.HtmlEncode(p.Tokens[s][i])}</span> ");
                }
                sb.AppendLine("</p>");
            }
            sb.AppendLine(p.SentenceWeights != null ? "<table><tr><th>sentence</th><th>sentence weight</th><th>word</th><th>word weight</th></tr>" : "<table><tr><th>word</th><th>weight</th></tr>");
            for (int s = 0; s < p.Tokens.Count; s++)
                for (int i = 0; i < p.Tokens[s].Count; i++)
                    sb.AppendLine(p.SentenceWeights != null
                        ? $"<tr><td>{s + 1}</td><td>{F(p.SentenceWeights[s])}</td><td>{WebUtility.HtmlEncode(p.Tokens[s][i])}</td><td>{F(p.WordWeights[s][i])}</td></tr>"
                        : $"<tr><td>{WebUtility.HtmlEncode(p.Tokens[s][i])}</td><td>{F(p.WordWeights[s][i])}</td></tr>");
            sb.AppendLine("</table>");
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
