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
        Assert.Equal("Attention must be one of stacked, none, flat; got 'Stacked'",
            Assert.Throws<ArgumentException>(() => Variant.Parse<VqaAttention>("Stacked", "Attention")).Message);
        // Checkpoints store the names the options had when they were strings, and read them back.
        var options = new CaptionOptions(9, CaptionAttention.Hard);
        string json = JsonSerializer.Serialize(options, Checkpoint.Json);
        Assert.Contains("\"Attention\":\"hard\"", json);
        Assert.Equal(options, JsonSerializer.Deserialize<CaptionOptions>(json, Checkpoint.Json));
        Assert.Equal(CaptionAttention.Soft, JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":\"soft\"}", Checkpoint.Json)!.Attention);
        Assert.Contains("'local' is not a CaptionAttention; expected one of soft, hard, none",
            Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":\"local\"}", Checkpoint.Json)).Message);
        // Reading is lenient about case and C# member names (hand-written JSON, a default enum converter); writing is canonical.
        Assert.Equal(CaptionAttention.Hard, JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":\"Hard\"}", Checkpoint.Json)!.Attention);
        Assert.Equal(VqaAttention.Stacked, JsonSerializer.Deserialize<VqaOptions>("{\"Vocabulary\":9,\"Answers\":3,\"Attention\":\"Stacked\"}", Checkpoint.Json)!.Attention);
        Assert.Contains("\"Attention\":\"stacked\"", JsonSerializer.Serialize(new VqaOptions(9, 3), Checkpoint.Json));
        Assert.Equal(AttentionSharp.Models.Tagging.TaggerModel.BiLstmCrfAttention,
            JsonSerializer.Deserialize<AttentionSharp.Models.Tagging.TaggerOptions>("{\"Model\":\"BILSTM-CRF-ATTN\"}", Checkpoint.Json)!.Model);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":\"1\"}", Checkpoint.Json));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":true}", Checkpoint.Json));
        // An undefined value is written as a number, and read back it is refused by Validate.
        string undefined = JsonSerializer.Serialize(new CaptionOptions(9, (CaptionAttention)5), Checkpoint.Json);
        Assert.Contains("\"Attention\":5", undefined);
        // A number in the JSON becomes an undefined member, which Validate refuses.
        var numbered = JsonSerializer.Deserialize<CaptionOptions>("{\"Vocabulary\":9,\"Attention\":5}", Checkpoint.Json)!;
        Assert.Equal("Attention must be one of soft, hard, none; got 5", Assert.Throws<ArgumentException>(numbered.Validate).Message);
    }
}
