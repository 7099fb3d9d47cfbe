using AttentionSharp.Models.Captioning;
using AttentionSharp.Tests.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Captioning;

/// <summary>
/// <see cref="CaptionOptions.RegionContext"/>: self-attention layers over the region features. Without them a region's
/// annotation sees only the CNN's receptive field; with one, every region's annotation depends on the whole image.
/// </summary>
public class CaptionRegionContextTests
{
    static ShowAttendTell Model(int layers)
    {
        manual_seed(21);
        var model = new ShowAttendTell(new CaptionOptions(9, ImageSize: 64, Features: 16, Embedding: 5, Hidden: 7, AttentionHidden: 4, RegionContext: layers));
        model.eval();
        return model;
    }

    /// <summary>How much the annotation of the top-left region moves when the bottom-right corner of the image changes.</summary>
    static double FarEffect(ShowAttendTell model)
    {
        manual_seed(22);
        using var image = rand(1, 1, 64, 64);
        using var changed = image.clone();
        changed[.., .., 48.., 48..] = rand(1, 1, 16, 16);
        using var _ = no_grad();
        var a = model.Annotations(cat([image, changed], 0));                       // (2, 64, 16)
        return (a[0, 0] - a[1, 0]).abs().max().item<float>();
    }

    [Fact]
    public void OneLayerLetsAFarRegionChangeAnAnnotationThatTheCnnAloneCannotSee()
    {
        Assert.Equal(0.0, FarEffect(Model(0)));           // 16 x 16 pixels 48 away: outside the 22-pixel receptive field
        Assert.True(FarEffect(Model(1)) > 1e-4);
        Assert.Equal(new long[] { 2, 64, 16 }, Model(2).Annotations(rand(2, 1, 64, 64)).shape);
    }

    [Fact]
    public void WithoutLayersTheParametersAreThoseOfThePapersModel()
    {
        var names = Model(0).named_parameters().Select(p => p.name).ToArray();
        Assert.DoesNotContain(names, n => n.StartsWith("region_context"));
        var with = Model(1).named_parameters().Select(p => p.name).ToArray();
        Assert.Equal(names, with.Where(n => !n.StartsWith("region_context.")).ToArray());
        Assert.Contains(with, n => n.StartsWith("region_context.0.self_attn"));
    }

    [Fact]
    public void BadLayerCountsAndSizesAreRefused()
    {
        Assert.Contains("RegionContext must be 0", Assert.Throws<ArgumentException>(() => new CaptionOptions(9, RegionContext: -1).Validate()).Message);
        Assert.Contains("Features divisible by 8", Assert.Throws<ArgumentException>(() => new CaptionOptions(9, Features: 12, RegionContext: 1).Validate()).Message);
        new CaptionOptions(9, Features: 12).Validate();
        var r = CliTests.Run("caption", "train", "--region-context", "9", "--no-progress");
        Assert.Equal(2, r.Code);
        Assert.Contains("region-context", r.Err);
    }
}
