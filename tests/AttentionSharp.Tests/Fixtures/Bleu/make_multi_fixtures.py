"""Reference multi-reference corpus BLEU-1..4 from NLTK 3.8 (nltk.translate.bleu_score.corpus_bleu with weights (1,), (1/2,)*2,
(1/3,)*3, (1/4,)*4: clipped counts by the maximum over the references, closest reference length (shorter on ties), brevity
penalty, no smoothing) for BleuReferenceTests.MultiReferenceCorpusBleuEqualsNltk.
Run with Debian's python3-nltk: /usr/bin/python3 make_multi_fixtures.py > nltk-multi-bleu.tsv
Each case: a name, then sentences separated by ' ## ', each 'hypothesis ||| ref1 || ref2 ...' (tokens split on spaces), then
BLEU-1..4 x 100. Every hypothesis has at least 4 tokens (NLTK counts max(1, n-grams) per sentence, the project does not)."""
from nltk.translate.bleu_score import corpus_bleu
import warnings
warnings.filterwarnings("ignore")

cases = {
    "captions-exact-any": [("a 3 left of a bag", ["a 3 left of a bag", "a bag right of a 3", "a 3 is left of a bag"]),
                           ("a bag right of a 3", ["a 3 left of a bag", "a bag right of a 3"])],
    "captions-one-wrong-object": [("a 3 left of a coat", ["a 3 left of a bag", "a bag right of a 3", "a 3 is left of a bag", "a bag is right of a 3"]),
                                  ("a 7 above a sandal above a 1", ["a 7 above a sandal above a 1", "a 1 below a sandal below a 7"])],
    "clip-by-max-over-references": [("the the the the cat", ["the cat", "the the cat sat on the mat"])],
    "closest-length-tie-shorter": [("a b c d e f", ["a b c d e", "a b c d e f g", "x y"])],
    "brevity-penalty": [("a trouser above a 5", ["a trouser above a 5 and a 5 above a bag", "a bag below a 5 below a trouser"])],
    "mixed-corpus": [("a dog runs on the grass", ["a dog is running on grass", "the dog runs across the green grass", "a brown dog runs"]),
                     ("two people walk down a street", ["two people are walking down the street", "a couple walks on a city street"]),
                     ("a child plays in the water at the beach", ["a child is playing in the water", "a kid plays at the beach in the waves"])],
    "no-bigram-match": [("c a d b", ["a b c d", "b a"])],
}
for name, sents in cases.items():
    hyps = [h.split() for h, _ in sents]
    refs = [[r.split() for r in rs] for _, rs in sents]
    scores = [corpus_bleu(refs, hyps, weights=tuple([1.0 / n] * n)) for n in (1, 2, 3, 4)]
    text = " ## ".join(h + " ||| " + " || ".join(rs) for h, rs in sents)
    print(name + "\t" + text + "\t" + "\t".join("%.6f" % (100 * s) for s in scores))
