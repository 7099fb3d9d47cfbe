using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Sequence;

/// <summary>A decoder's recurrent state and memory for a set of rows, which beam search can reorder.</summary>
public interface IDecoderState
{
    /// <summary>The state of rows <paramref name="index"/> <c>(N)</c> (rows may repeat).</summary>
    IDecoderState Select(Tensor index);

    /// <summary>
    /// As <see cref="Select"/>, when every row is replaced by a row of the same source (beams of one sentence): per-source parts
    /// (the encoder memory) are identical within a source and need not be copied. Defaults to <see cref="Select"/>.
    /// </summary>
    IDecoderState SelectWithinSource(Tensor index) => Select(index);
}

/// <summary>One decoding step of an autoregressive model.</summary>
/// <param name="LogProbs">Log-probabilities of the next token <c>(N, V)</c>.</param>
/// <param name="Weights">Attention weights over the source <c>(N, S)</c>, or null for a model without attention.</param>
/// <param name="State">The state after the step.</param>
public readonly record struct DecoderStep(Tensor LogProbs, Tensor? Weights, IDecoderState State);

/// <summary>A model that decodes one token at a time.</summary>
public interface IIncrementalDecoder
{
    /// <summary>Feeds the previous tokens <c>(N)</c> and returns the next-token distribution.</summary>
    DecoderStep Step(Tensor previous, IDecoderState state);
}

/// <summary>A decoded output: tokens (ending with EOS when it was produced), score, and the attention row of each token.</summary>
/// <param name="Tokens">Output token ids, EOS included when produced.</param>
/// <param name="LogProb">Sum of the tokens' log-probabilities.</param>
/// <param name="Score">The ranking score (<see cref="LogProb"/> / length^alpha).</param>
/// <param name="Weights">For each output token, the attention over the source positions (null without attention).</param>
public sealed record Hypothesis(int[] Tokens, double LogProb, double Score, float[][]? Weights);

/// <summary>
/// Greedy and batched beam search. Beam search keeps <c>K</c> hypotheses per source; a hypothesis that produced EOS is
/// frozen (its score no longer changes); search ends when every hypothesis is finished or at the length limit; the output is the
/// finished hypothesis with the best length-normalised score <c>log p(y|x) / |y|^alpha</c> (Wu et al. 2016 use a smoothed form;
/// alpha = 0 is the raw log-probability). With <c>K = 1</c> it returns exactly the greedy output.
/// </summary>
public static class BeamSearch
{
    /// <summary><paramref name="logProbs"/> <c>(N, V)</c> with the columns of <paramref name="banned"/> set to minus infinity (unchanged when none).</summary>
    public static Tensor Ban(Tensor logProbs, IReadOnlyList<int>? banned)
    {
        if (banned == null || banned.Count == 0) return logProbs;
        using var index = torch.tensor(banned.Select(i => (long)i).ToArray(), device: logProbs.device);
        using var minusInf = (-double.PositiveInfinity).ToScalar();
        return logProbs.index_fill(1, index, minusInf);
    }

    /// <summary>Greedy decoding of <paramref name="batch"/> sources from <paramref name="start"/> (one row per source).</summary>
    /// <remarks>Tokens in <paramref name="banned"/> (e.g. padding, unknown and start symbols) are never emitted.</remarks>
    public static List<Hypothesis> Greedy(IIncrementalDecoder decoder, IDecoderState start, int batch, int maxLength, int bos, int eos, Device? device = null,
        IReadOnlyList<int>? banned = null)
    {
        Check(batch, 1, maxLength);
        using var scope = torch.NewDisposeScope();   // the hypotheses are managed; every tensor made here dies with the scope
        var tokens = new List<int>[batch];
        var weights = new List<float[]>[batch];
        var logp = new double[batch];
        var done = new bool[batch];
        for (int i = 0; i < batch; i++) { tokens[i] = []; weights[i] = []; }
        var prev = torch.full(batch, HeldScalars.Of(bos), dtype: ScalarType.Int64, device: device);  // (B)
        var state = start;
        bool hasWeights = false;
        for (int t = 0; t < maxLength && done.Any(d => !d); t++)
        {
            var step = decoder.Step(prev, state);
            state = step.State;
            var best = Ban(step.LogProbs, banned).max(1);
            var next = best.indexes;                                                 // (B)
            var nextIds = next.data<long>().ToArray();
            var nextLp = best.values.to(ScalarType.Float64).data<double>().ToArray();
            float[]? w = step.Weights?.to(ScalarType.Float32).cpu().data<float>().ToArray();
            long s = step.Weights?.shape[1] ?? 0;
            hasWeights = w != null;
            for (int i = 0; i < batch; i++)
            {
                if (done[i]) continue;
                tokens[i].Add((int)nextIds[i]);
                logp[i] += nextLp[i];
                if (w != null) weights[i].Add(w.AsSpan((int)(i * s), (int)s).ToArray());
                if (nextIds[i] == eos) done[i] = true;
            }
            prev = next;
        }
        return Enumerable.Range(0, batch).Select(i =>
            new Hypothesis([.. tokens[i]], logp[i], logp[i], hasWeights ? [.. weights[i]] : null)).ToList();
    }

    /// <summary>Beam search with <paramref name="beam"/> hypotheses per source; <paramref name="start"/> has one row per source.</summary>
    /// <remarks>Tokens in <paramref name="banned"/> (e.g. padding, unknown and start symbols) are never emitted.</remarks>
    public static List<Hypothesis> Search(IIncrementalDecoder decoder, IDecoderState start, int batch, int beam, int maxLength, int bos, int eos,
        double alpha = 1.0, Device? device = null, IReadOnlyList<int>? banned = null)
    {
        Check(batch, beam, maxLength);
        if (alpha < 0) throw new ArgumentException($"alpha must be >= 0; got {alpha}");
        using var scope = torch.NewDisposeScope();
        int k = beam, n = batch * k;
        var dev = device ?? CPU;
        var expand = torch.arange(HeldScalars.Of(0), HeldScalars.Of(batch), HeldScalars.Of(1), device: dev).repeat_interleave(k);          // (N)
        var state = start.Select(expand);
        var prev = torch.full(n, HeldScalars.Of(bos), dtype: ScalarType.Int64, device: dev);         // (N)
        var scoreInit = new double[n];
        for (int i = 0; i < n; i++) scoreInit[i] = i % k == 0 ? 0 : double.NegativeInfinity;
        var scores = torch.tensor(scoreInit, device: dev);                           // (N)
        var finished = new bool[n];
        var lengths = new int[n];
        var history = new List<(long[] Tokens, long[] Parents, float[]? Weights, long S)>();

        for (int t = 0; t < maxLength && finished.Any(f => !f); t++)
        {
            var step = decoder.Step(prev, state);
            long v = step.LogProbs.shape[1];
            var logp = Ban(step.LogProbs, banned).to(ScalarType.Float64);             // (N, V)
            var fin = torch.tensor(finished, device: dev);                            // (N)
            var frozenRow = new double[v];
            Array.Fill(frozenRow, double.NegativeInfinity);
            frozenRow[eos] = 0;
            var frozen = torch.tensor(frozenRow, device: dev);                         // (V)
            logp = torch.where(fin.unsqueeze(1), frozen.unsqueeze(0), logp);         // (N, V): finished rows only "continue" with EOS at no cost
            var total = scores.unsqueeze(1).add(logp, HeldScalars.Of(1)).view(batch, k * v);             // (B, K*V)
            var top = total.topk(k, dim: 1);
            var flat = top.indexes;                                                  // (B, K)
            var parentBeam = flat.div(HeldScalars.Of(v), rounding_mode: RoundingMode.floor);         // (B, K)
            var token = flat.remainder(HeldScalars.Of(v)).view(n);                                   // (N)
            var parentRow = parentBeam.add(torch.arange(HeldScalars.Of(0), HeldScalars.Of(batch), HeldScalars.Of(1), device: dev).unsqueeze(1).mul(HeldScalars.Of(k)), HeldScalars.Of(1)).view(n); // (N)
            scores = top.values.reshape(n);

            var parents = parentRow.data<long>().ToArray();
            var toks = token.data<long>().ToArray();
            var newFinished = new bool[n];
            var newLengths = new int[n];
            for (int i = 0; i < n; i++)
            {
                int p = (int)parents[i];
                newFinished[i] = finished[p] || toks[i] == eos;
                newLengths[i] = finished[p] ? lengths[p] : lengths[p] + 1;
            }
            float[]? w = step.Weights?.to(ScalarType.Float32).cpu().data<float>().ToArray();
            history.Add((toks, parents, w, step.Weights?.shape[1] ?? 0));
            finished = newFinished;
            lengths = newLengths;
            state = step.State.SelectWithinSource(parentRow); // parents are beams of the same source
            prev = token;
        }

        var final = scores.data<double>().ToArray();
        var results = new List<Hypothesis>(batch);
        for (int b = 0; b < batch; b++)
        {
            int bestRow = -1;
            double bestScore = double.NegativeInfinity;
            bool anyFinished = Enumerable.Range(b * k, k).Any(r => finished[r]);
            for (int r = b * k; r < (b + 1) * k; r++)
            {
                if (anyFinished && !finished[r]) continue;
                double s = final[r] / Math.Pow(Math.Max(1, lengths[r]), alpha);
                if (bestRow < 0 || s > bestScore) { bestRow = r; bestScore = s; }
            }
            results.Add(Backtrack(history, bestRow, lengths[bestRow], final[bestRow], bestScore));
        }
        return results;
    }

    static Hypothesis Backtrack(List<(long[] Tokens, long[] Parents, float[]? Weights, long S)> history, int row, int length, double logProb, double score)
    {
        var tokens = new List<int>();
        var weights = new List<float[]>();
        bool hasWeights = history.Count > 0 && history[0].Weights != null;
        // Walk back through every step; steps after the hypothesis finished only repeat EOS and are skipped.
        var rows = new int[history.Count];
        int r = row;
        for (int t = history.Count - 1; t >= 0; t--) { rows[t] = r; r = (int)history[t].Parents[r]; }
        for (int t = 0; t < history.Count && tokens.Count < length; t++)
        {
            var h = history[t];
            int parent = (int)h.Parents[rows[t]];
            tokens.Add((int)h.Tokens[rows[t]]);
            if (hasWeights) weights.Add(h.Weights!.AsSpan((int)(parent * h.S), (int)h.S).ToArray());
        }
        return new Hypothesis([.. tokens], logProb, score, hasWeights ? [.. weights] : null);
    }

    static void Check(int batch, int beam, int maxLength)
    {
        if (batch < 1) throw new ArgumentException($"batch must be >= 1; got {batch}");
        if (beam < 1) throw new ArgumentException($"beam must be >= 1; got {beam}");
        if (maxLength < 1) throw new ArgumentException($"maxLength must be >= 1; got {maxLength}");
    }
}
