using System.Text.Json;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Models.QuestionAnswering;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Training;

public class VariantTests
{
    [Fact]
    public void VariantsHaveTheirShortNamesInCodeJsonAndErrors()
    {
        Assert.Equal(["soft", "hard", "none"], Variant.Names<CaptionAttention>());
        Assert.Equal("hard", Variant.Name(CaptionAttention.Hard));
        Assert.Equal(CaptionAttention.None, Variant.Parse<CaptionAttention>("none", "Attention"));
        Assert.Equal("Attention must be one of stacked, none; got 'Stacked'",
            Assert.Throws<ArgumentException>(() => Variant.Parse<VqaAttention>("Stacked", "Attention")).Message);
        // Checkpoints store the names the options had when they were strings, and read them back.
        var options = new CaptionOptions(9, CaptionAttention.Hard);
        string json = JsonSerializer.Serialize(options, Checkpoint.Json);
        Assert.Contains("\"Attention\":\"hard\"", json);
        Assert.Equal(options, JsonSerializer.Deserialize<CaptionOptions>(json, Checkpoint.Json));
        Assert.Equal(CaptionAttention.Soft, JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":\"soft\"}", Checkpoint.Json)!.Attention);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":\"local\"}", Checkpoint.Json));
        // A number in the JSON becomes an undefined member, which Validate refuses.
        var numbered = JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":5}", Checkpoint.Json)!;
        Assert.Equal("Attention must be one of soft, hard, none; got 5", Assert.Throws<ArgumentException>(numbered.Validate).Message);
    }
}
