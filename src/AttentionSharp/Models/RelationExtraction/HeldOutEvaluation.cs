namespace AttentionSharp.Models.RelationExtraction;

/// <summary>The figures of a held-out evaluation.</summary>
/// <param name="Facts">Non-NA (pair, relation) facts of the test bags: the recall denominator.</param>
/// <param name="Auc">Area under the precision-recall curve (trapezoids over every rank, as OpenNRE with scikit-learn's <c>auc</c>).</param>
/// <param name="P100">Precision of the 100 highest-scoring predictions.</param>
/// <param name="P200">Precision of the top 200.</param>
/// <param name="P300">Precision of the top 300.</param>
/// <param name="MaxF1">Largest F1 over all cut-offs.</param>
/// <param name="Recall">Recall at each rank 1..n.</param>
/// <param name="Precision">Precision at each rank 1..n.</param>
public sealed record HeldOutResult(int Facts, double Auc, double P100, double P200, double P300, double MaxF1, double[] Recall, double[] Precision)
{
    /// <summary>Mean of P@100, P@200 and P@300.</summary>
    public double PMean => (P100 + P200 + P300) / 3;
}

/// <summary>
/// Held-out evaluation of distantly supervised relation extraction (Mintz et al. 2009; as in Lin et al. 2016 and OpenNRE):
/// every (bag, non-NA relation) score is ranked; a prediction is right when the relation is among the bag's labels (the
/// knowledge base's, or the sentences' gold labels); precision and recall at every rank give the curve.
/// </summary>
public static class HeldOutEvaluation
{
    /// <summary>
    /// Evaluates <paramref name="scores"/> (per bag, one score per relation, index 0 = NA, which is not ranked) against
    /// <paramref name="labels"/> (per bag, the relation indices it holds; NA alone or empty for an NA bag).
    /// Ties are ranked by bag then relation index, so the result is deterministic.
    /// </summary>
    public static HeldOutResult Evaluate(IReadOnlyList<double[]> scores, IReadOnlyList<IReadOnlyCollection<int>> labels)
    {
        if (scores.Count != labels.Count) throw new ArgumentException($"scores ({scores.Count} bags) and labels ({labels.Count}) differ in length");
        var items = new List<(double Score, int Bag, int Relation)>();
        int facts = 0;
        for (int b = 0; b < scores.Count; b++)
        {
            for (int r = 1; r < scores[b].Length; r++) items.Add((scores[b][r], b, r));
            facts += labels[b].Count(r => r != 0);
        }
        items.Sort((x, y) => y.Score != x.Score ? y.Score.CompareTo(x.Score) : x.Bag != y.Bag ? x.Bag.CompareTo(y.Bag) : x.Relation.CompareTo(y.Relation));
        var recall = new double[items.Count];
        var precision = new double[items.Count];
        int correct = 0;
        double auc = 0, maxF1 = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (labels[items[i].Bag].Contains(items[i].Relation)) correct++;
            precision[i] = (double)correct / (i + 1);
            recall[i] = facts == 0 ? 0 : (double)correct / facts;
            if (i > 0) auc += (recall[i] - recall[i - 1]) * (precision[i] + precision[i - 1]) / 2;
            double f1 = precision[i] + recall[i] > 0 ? 2 * precision[i] * recall[i] / (precision[i] + recall[i]) : 0;
            maxF1 = Math.Max(maxF1, f1);
        }
        double At(int n) => items.Count == 0 ? 0 : precision[Math.Min(n, items.Count) - 1];
        return new HeldOutResult(facts, auc, At(100), At(200), At(300), maxF1, recall, precision);
    }
}
