using AttentionSharp.Models.Captioning;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Captioning;

/// <summary>
/// <c>ImageStart = false</c> (<c>--blind-start</c>): the LSTM starts from zeros, so what the decoder knows of the image comes
/// only through attention; the paper's start (the mean of the regions) depends on the image.
/// </summary>
public class CaptionStartTests
{
    static ShowAttendTell Model(bool imageStart, CaptionAttention attention = CaptionAttention.Soft)
    {
        torch.manual_seed(4);
        return new ShowAttendTell(new CaptionOptions(12, attention, ImageSize: 16, Features: 8, Embedding: 8, Hidden: 6, AttentionHidden: 5, MaxLength: 4, ImageStart: imageStart));
    }

    [Fact]
    public void ABlindStartIsZeroForEveryImageAndThePapersStartIsNot()
    {
        torch.manual_seed(9);
        using var images = torch.rand(3, 1, 16, 16);
        using var _ = torch.no_grad();
        var blind = Model(false).Start(images);
        Assert.Equal(new long[] { 3, 6 }, blind.Hidden.shape);
        Assert.Equal(0.0, blind.Hidden.abs().sum().item<float>());
        Assert.Equal(0.0, blind.Cell.abs().sum().item<float>());
        var seen = Model(true).Start(images);
        Assert.True(seen.Hidden.abs().sum().item<float>() > 0);
        Assert.False(seen.Hidden[0].allclose(seen.Hidden[1]));                 // it depends on the image
        // the blind model still reads the image: its first step's attention weights differ between images
        var step = Model(false).StepFrom(torch.zeros(3, dtype: ScalarType.Int64), blind);
        Assert.False(step.Logits[0].allclose(step.Logits[1]));
    }

    [Fact]
    public void ABlindStartWithoutAttentionIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new CaptionOptions(12, CaptionAttention.None, ImageStart: false).Validate());
        Assert.Contains("ImageStart must be true without attention", e.Message);
        new CaptionOptions(12, CaptionAttention.Hard, ImageStart: false).Validate();
    }

    [Fact]
    public void OptionsWrittenBeforeTheFieldReadAsThePapersStart()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new CaptionOptions(12), AttentionSharp.Training.Checkpoint.Json);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(node.Remove("ImageStart"));
        var old = System.Text.Json.JsonSerializer.Deserialize<CaptionOptions>(node.ToJsonString(), AttentionSharp.Training.Checkpoint.Json)!;
        Assert.True(old.ImageStart);
    }
}
