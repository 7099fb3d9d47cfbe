namespace AttentionSharp.Data.Relations;

/// <summary>An entity mention in a tokenised sentence: its name, optional knowledge-base id and token span <c>[Start, End)</c>.</summary>
/// <param name="Name">Surface name (as the data gives it).</param>
/// <param name="Id">Knowledge-base id (e.g. a Freebase mid), or null.</param>
/// <param name="Start">First token of the mention.</param>
/// <param name="End">One past the last token of the mention.</param>
public sealed record EntityMention(string Name, string? Id, int Start, int End)
{
    /// <summary>The key that identifies the entity in a bag: its id when given, else its name.</summary>
    public string Key => Id ?? Name;
}

/// <summary>
/// One sentence of distantly supervised relation extraction: tokens, the head and tail mentions, the relation the
/// knowledge base gives the pair (<c>NA</c> when none), and, when known, the relation the sentence itself expresses.
/// </summary>
/// <param name="Tokens">The sentence's tokens (lower-cased by the reader).</param>
/// <param name="Head">The head entity h.</param>
/// <param name="Tail">The tail entity t.</param>
/// <param name="Relation">The knowledge-base label of the pair (h, t): a relation name or <see cref="RelationSet.NA"/>.</param>
/// <param name="Gold">The relation this sentence expresses (<see cref="RelationSet.NA"/>: none), or null when unknown (real data).</param>
public sealed record RelationSentence(string[] Tokens, EntityMention Head, EntityMention Tail, string Relation, string? Gold = null)
{
    /// <summary>The entity pair key (h, t) that test bags group by.</summary>
    public (string Head, string Tail) Pair => (Head.Key, Tail.Key);
}

/// <summary>A bag: the sentences of one entity pair (test) or of one (pair, relation) triple (training).</summary>
/// <param name="Head">Head entity key.</param>
/// <param name="Tail">Tail entity key.</param>
/// <param name="Relations">The pair's knowledge-base relations (a training bag has one; a test bag all the pair has; <c>[NA]</c> when none).</param>
/// <param name="Sentences">The sentences, in file order.</param>
public sealed record RelationBag(string Head, string Tail, IReadOnlyList<string> Relations, IReadOnlyList<RelationSentence> Sentences)
{
    /// <summary>The relations the bag's sentences express by their gold labels (non-NA), or null when any sentence lacks a gold label.</summary>
    public IReadOnlyList<string>? GoldRelations => Sentences.Any(s => s.Gold == null) ? null
        : Sentences.Select(s => s.Gold!).Where(g => g != RelationSet.NA).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Groups sentences into bags: training bags by (h, t, relation), so a pair with two relations gives two bags;
    /// test bags by (h, t), each holding all the pair's relations. Bags keep the order of their first sentence.
    /// </summary>
    public static List<RelationBag> Group(IEnumerable<RelationSentence> sentences, bool training)
    {
        var order = new List<string>();
        var groups = new Dictionary<string, List<RelationSentence>>(StringComparer.Ordinal);
        foreach (var s in sentences)
        {
            string key = training ? $"{s.Head.Key}\u0001{s.Tail.Key}\u0001{s.Relation}" : $"{s.Head.Key}\u0001{s.Tail.Key}";
            if (!groups.TryGetValue(key, out var list)) { groups[key] = list = []; order.Add(key); }
            list.Add(s);
        }
        return order.Select(k =>
        {
            var list = groups[k];
            var rels = list.Select(s => s.Relation).Distinct().ToList();
            if (rels.Count > 1) rels.Remove(RelationSet.NA);
            rels.Sort(StringComparer.Ordinal);
            return new RelationBag(list[0].Head.Key, list[0].Tail.Key, rels, list);
        }).ToList();
    }
}
