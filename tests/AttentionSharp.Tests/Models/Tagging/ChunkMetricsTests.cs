using AttentionSharp.Models.Tagging;

namespace AttentionSharp.Tests.Models.Tagging;

public class ChunkMetricsTests
{
    [Fact]
    public void WorkedExampleComputedByHand()
    {
        // gold chunks PER[0,2) LOC[3,4) ORG[5,7); predicted PER[0,2) ORG[3,4) ORG[5,6): one correct of three each.
        var m = new ChunkMetrics();
        m.Add(["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG"],
              ["B-PER", "I-PER", "O", "B-ORG", "O", "B-ORG", "O"]);
        Assert.Equal(3, m.GoldChunks);
        Assert.Equal(3, m.PredictedChunks);
        Assert.Equal(1, m.CorrectChunks);
        Assert.Equal(1.0 / 3, m.Precision, 12);
        Assert.Equal(1.0 / 3, m.Recall, 12);
        Assert.Equal(1.0 / 3, m.F1, 12);
        Assert.Equal(5.0 / 7, m.Accuracy, 12);

        // conlleval: an I- after O starts a chunk (so I-PER I-PER equals B-PER I-PER); B-LOC I-LOC from 2 differs from LOC[3,4).
        m.Add(["B-PER", "I-PER", "O", "B-LOC"], ["I-PER", "I-PER", "B-LOC", "I-LOC"]);
        Assert.Equal(5, m.GoldChunks);
        Assert.Equal(5, m.PredictedChunks);
        Assert.Equal(2, m.CorrectChunks);
        Assert.Equal(0.4, m.F1, 12);
        Assert.Equal(6.0 / 11, m.Accuracy, 12);
    }

    [Fact]
    public void ChunkBoundariesFollowConlleval()
    {
        Assert.Equal([new Chunk(0, 1, "PER"), new Chunk(1, 2, "LOC")], ChunkMetrics.Chunks(["B-PER", "I-LOC"]));
        Assert.Equal([new Chunk(0, 2, "X")], ChunkMetrics.Chunks(["I-X", "I-X"]));
        Assert.Equal([new Chunk(0, 1, "X"), new Chunk(1, 2, "X")], ChunkMetrics.Chunks(["B-X", "B-X"]));
        Assert.Equal([new Chunk(1, 3, "X"), new Chunk(3, 4, "Y")], ChunkMetrics.Chunks(["O", "B-X", "E-X", "S-Y"]));
        Assert.Empty(ChunkMetrics.Chunks(["O", "O"]));
    }

    [Fact]
    public void EmptyAndMismatchedInputs()
    {
        var m = new ChunkMetrics();
        Assert.Equal(0, m.F1);
        m.Add(["O"], ["O"]);
        Assert.Equal(0, m.F1);
        Assert.Equal(1, m.Accuracy);
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => m.Add(["O"], ["O", "O"])).Message);
    }
}
