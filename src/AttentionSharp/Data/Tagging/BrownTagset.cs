namespace AttentionSharp.Data;

/// <summary>
/// The Brown corpus tag set (Francis and Kučera 1979, as lower-cased in the NLTK copy) and its mapping to the 12 universal
/// tags of Petrov, Das and McDonald 2012 (NOUN VERB ADJ ADV PRON DET ADP NUM CONJ PRT . X).
/// The mapping is by rule, written here once:
/// 1. <c>fw-*</c> (foreign words) -> X; a lone <c>*</c> (not, n't) -> ADV; <c>nil</c> -> X.
/// 2. The title, headline and cited-word suffixes <c>-tl</c>, <c>-hl</c>, <c>-nc</c> are removed; a contraction such as
///    <c>pps+bez</c> (he's) maps by its first part (PRON); a trailing negation <c>*</c> (<c>bez*</c> isn't) is removed.
/// 3. The base tag then maps: nn nns np nps nr nrs (and their <c>$</c> possessives) -> NOUN;
///    vb vbd vbg vbn vbz, the forms of be (be bed bedz beg bem ben ber bez), have (hv hvd hvg hvn hvz), do (do dod doz) and md -> VERB;
///    jj jjr jjs jjt jj$ od -> ADJ; rb rbr rbt rb$ rn ql qlp wql wrb abl -> ADV;
///    pn pn$ pp$ pp$$ ppl ppls ppo pps ppss wps wpo wp$ -> PRON; at ap ap$ abn abx dt dt$ dti dts dtx wdt ex -> DET;
///    in -> ADP; cc cs -> CONJ; cd cd$ -> NUM; rp to -> PRT; uh -> X;
///    punctuation <c>. , : ; ( ) -- ` `` ' ''</c> -> "." ; anything else -> X.
/// </summary>
public static class BrownTagset
{
    /// <summary>The 12 universal tags, in a fixed order.</summary>
    public static readonly IReadOnlyList<string> UniversalTags = ["NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", ".", "X"];

    static readonly Dictionary<string, string> BaseMap = Build();

    static Dictionary<string, string> Build()
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string universal, string tags) { foreach (var t in tags.Split(' ', StringSplitOptions.RemoveEmptyEntries)) m[t] = universal; }
        Add("NOUN", "nn nn$ nns nns$ np np$ nps nps$ nr nr$ nrs nrs$");
        Add("VERB", "vb vbd vbg vbn vbz be bed bedz beg bem ben ber bez hv hvd hvg hvn hvz do dod doz md");
        Add("ADJ", "jj jj$ jjr jjs jjt od");
        Add("ADV", "rb rb$ rbr rbt rn ql qlp wql wrb abl");
        Add("PRON", "pn pn$ pp$ pp$$ ppl ppls ppo pps ppss wps wpo wp$");
        Add("DET", "at ap ap$ abn abx dt dt$ dti dts dtx wdt ex");
        Add("ADP", "in");
        Add("CONJ", "cc cs");
        Add("NUM", "cd cd$");
        Add("PRT", "rp to");
        Add("X", "uh nil");
        Add(".", ". , : ; ( ) -- ` `` ' ''");
        return m;
    }

    /// <summary>The universal tag of a Brown tag (case-insensitive), by the rules in the class summary.</summary>
    public static string ToUniversal(string brownTag)
    {
        ArgumentException.ThrowIfNullOrEmpty(brownTag);
        string t = brownTag.ToLowerInvariant();
        if (t.StartsWith("fw-", StringComparison.Ordinal)) return "X";
        bool stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (var suffix in new[] { "-tl", "-hl", "-nc" })
                if (t.Length > suffix.Length && t.EndsWith(suffix, StringComparison.Ordinal)) { t = t[..^suffix.Length]; stripped = true; }
        }
        if (t == "*") return "ADV";
        int plus = t.IndexOf('+');
        if (plus > 0) t = t[..plus];
        if (t.Length > 1 && t.EndsWith('*')) t = t[..^1];
        return BaseMap.GetValueOrDefault(t, "X");
    }
}
