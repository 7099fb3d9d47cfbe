using AttentionSharp.Data;

namespace AttentionSharp.Tests.Training;

/// <summary>A generated two-class image task: label 1 when the left half is brighter than the right half.</summary>
static class TinyData
{
    public static ImageDataset Halves(int count, int seed, int size = 6)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.Next(2);
            labels[i] = (byte)label;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    bool bright = (x < size / 2) == (label == 1);
                    pixels[i * size * size + y * size + x] = (byte)(rng.Next(0, 128) + (bright ? 100 : 0));
                }
        }
        return new ImageDataset(pixels, labels, size, size, classes: 2);
    }
}
