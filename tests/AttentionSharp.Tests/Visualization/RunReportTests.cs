using System.Text.RegularExpressions;
using System.Xml.Linq;
using AttentionSharp.Training;
using AttentionSharp.Visualization;

namespace AttentionSharp.Tests.Visualization;

public class RunReportTests
{
    /// <summary>A run folder as the trainer leaves it: metrics.jsonl, result.json, a picture.</summary>
    static string FakeRun(string name, double scale, bool withResult = true)
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("attn-report-").FullName, name);
        Directory.CreateDirectory(dir);
        var lines = Enumerable.Range(1, 5).Select(e =>
            $"{{\"epoch\":{e},\"lr\":{0.001 / e},\"seconds\":1.5,\"best\":true,\"train_loss\":{scale / e},\"train_error\":{0.5 / e},\"valid_loss\":{scale * 1.1 / e},\"valid_error\":{0.55 / e}}}");
        File.WriteAllLines(Path.Combine(dir, Trainer<object>.MetricsFile), lines);
        if (withResult) new RunResult().Add("task", "mnist").Add("test_error", new Percent(12.5 * scale)).Add("note", "<b>&</b>").Save(Path.Combine(dir, "result.json"));
        File.WriteAllBytes(Path.Combine(dir, "glimpses.png"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        return dir;
    }

    [Fact]
    public void TwoRunsGiveOneSelfContainedPageWithOverlaidCurvesResultsAndPictures()
    {
        var a = RunRecord.Read(FakeRun("run-a", 1));
        var b = RunRecord.Read(FakeRun("run-b", 2, withResult: false));
        string html = RunReport.Html([a, b]);

        // Self-contained: nothing fetched from elsewhere.
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
        Assert.Equal(2, Regex.Matches(html, "src=\"data:image/png;base64,").Count);

        // Every chart is well-formed SVG; the loss chart overlays train and valid curves of both runs.
        var svgs = Regex.Matches(html, "<svg .*?</svg>", RegexOptions.Singleline).Select(m => XElement.Parse(m.Value)).ToList();
        Assert.Equal(["loss", "error", "lr"], svgs.Select(s => s.Elements().First(e => e.Name.LocalName == "title").Value));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var loss = svgs[0].Elements(ns + "polyline").ToList();
        Assert.Equal(4, loss.Count);                                      // 2 runs x (train, valid)
        Assert.Equal(2, loss.Count(p => p.Attribute("stroke-dasharray") != null));
        Assert.All(loss, p => Assert.Equal(5, p.Attribute("points")!.Value.Split(' ').Length));
        // Run b's losses are twice run a's: its first train point is higher on the page (smaller y).
        double FirstY(XElement p) => double.Parse(p.Attribute("points")!.Value.Split(' ')[0].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(FirstY(loss[2]) < FirstY(loss[0]));

        // Results side by side, escaped; the run without a result has an empty cell.
        Assert.Contains("<td>test_error</td><td>12.5</td><td></td>", html);
        Assert.Contains("&lt;b&gt;&amp;&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>&</b>", html);
    }

    [Fact]
    public void BadFoldersAndLogsGetClearErrors()
    {
        string empty = Directory.CreateTempSubdirectory("attn-report-empty-").FullName;
        Assert.Contains("is not a run folder", Assert.Throws<ArgumentException>(() => RunRecord.Read(empty)).Message);
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => RunRecord.Read(Path.Combine(empty, "nope"))).Message);
        string broken = FakeRun("broken", 1);
        File.AppendAllText(Path.Combine(broken, Trainer<object>.MetricsFile), "{not json\n");
        Assert.Contains("line 6", Assert.Throws<InvalidDataException>(() => RunRecord.Read(broken)).Message);
        Assert.Throws<ArgumentException>(() => RunReport.Html([]));
    }

    [Fact]
    public void TheCommandWritesThePageAndNamesIt()
    {
        string a = FakeRun("a", 1), b = FakeRun("b", 3);
        string page = Path.Combine(Path.GetDirectoryName(a)!, "compare.html");
        var (code, output, err) = AttentionSharp.Tests.Cli.CliTests.Run("report", a, b, "--out", page);
        Assert.True(code == 0, err);
        Assert.Contains("report of 2 runs", output);
        Assert.Contains("<svg", File.ReadAllText(page));
        var (usage, _, message) = AttentionSharp.Tests.Cli.CliTests.Run("report");
        Assert.Equal(2, usage);
        Assert.Contains("needs one or more run folders", message);
    }
}
