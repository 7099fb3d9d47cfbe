using AttentionSharp.Models.TextClassification;
using AttentionSharp.Visualization;

namespace AttentionSharp.Tests.Visualization;

public class TextAttentionRendererTests
{
    static readonly TextPrediction Flat = new(["neg", "pos"], [0.2, 0.8], [["a", "<great>", "film"]], [[0.1, 0.7, 0.2]], null);
    static readonly TextPrediction Han = new(["neg", "pos"], [0.6, 0.4], [["dull", "."], ["but", "fun"]], [[0.9, 0.1], [0.3, 0.7]], [0.25, 0.75]);

    [Fact]
    public void TerminalListsEveryWordWithItsWeight()
    {
        var plain = TextAttentionRenderer.Terminal(Flat, color: false);
        Assert.Contains("prediction: pos", plain);
        Assert.Contains("0.1000  a", plain);
        Assert.Contains("0.7000  <great>", plain);
        Assert.Contains("0.2000  film", plain);
        Assert.DoesNotContain("\u001b[", plain);
        var colored = TextAttentionRenderer.Terminal(Flat, color: true);
        Assert.Contains("\u001b[48;2;255;135;0m", colored); // the strongest word: full orange
        var han = TextAttentionRenderer.Terminal(Han, color: false);
        Assert.Contains("[0.2500] dull .", han);
        Assert.Contains("2  0.7500  fun  0.7000", han);
    }

    [Fact]
    public void HtmlIsSelfContainedEscapedAndHasEveryWeight()
    {
        var html = TextAttentionRenderer.Html(Flat, "t");
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("&lt;great&gt;", html);
        Assert.DoesNotContain("<great>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html);
        foreach (var w in new[] { "0.1000", "0.7000", "0.2000" }) Assert.Contains($"title=\"{w}\"", html);
        var han = TextAttentionRenderer.Html(Han, "t");
        Assert.Contains("sentence weight 0.7500", han);
    }
}
