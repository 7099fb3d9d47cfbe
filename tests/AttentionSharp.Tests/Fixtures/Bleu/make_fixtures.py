"""Reference corpus-BLEU scores from NLTK 3.8 (nltk.translate.bleu_score.corpus_bleu: BLEU-4, uniform weights, clipped
n-gram counts summed over the corpus, brevity penalty exp(1 - r/c), no smoothing) for BleuReferenceTests.
Run with Debian's python3-nltk: /usr/bin/python3 make_fixtures.py > nltk-corpus-bleu.tsv
Each case: a name, then hypothesis ||| reference pairs separated by ' ## ' (tokens split on spaces), then the score x 100."""
from nltk.translate.bleu_score import corpus_bleu
import warnings
warnings.filterwarnings("ignore")

cases = {
    "identical": [("the cat sat on the mat", "the cat sat on the mat")],
    "worked-example": [("the cat sat on mat", "the cat sat on the mat")],
    "longer-hypothesis": [("the the cat sat on the mat today", "the cat sat on the mat")],
    "clipping": [("the the the the the the the", "the cat is on the mat")],
    "no-4gram": [("a b c d", "a b d c")],
    "two-sentences": [("the quick brown fox jumps over the lazy dog", "the quick brown fox jumped over the lazy dog"),
                      ("she did not mean it badly", "she did not mean any harm")],
    "corpus-of-four": [("it is a guide to action which ensures that the military always obeys the commands of the party",
                        "it is a guide to action that ensures that the military will forever heed party commands"),
                       ("he read the book because he was interested in world history",
                        "he was interested in world history because he read the book"),
                       ("i like green eggs and ham", "i do not like green eggs and ham"),
                       ("2021 - 03 - 05", "2021 - 03 - 05")],
    # Not here on purpose: a hypothesis shorter than n. NLTK divides each sentence's n-gram matches by max(1, count), so a
    # 2-word hypothesis adds 1 to the trigram and 4-gram denominators; BLEU as defined by Papineni et al. (and
    # multi-bleu.perl, sacreBLEU, ours) sums counts over the corpus first. BleuReferenceTests checks that case by hand.
}
for name, pairs in cases.items():
    hyps = [h.split() for h, _ in pairs]
    refs = [[r.split()] for _, r in pairs]
    score = corpus_bleu(refs, hyps)
    print(f"{name}\t{' ## '.join(h + ' ||| ' + r for h, r in pairs)}\t{100 * score:.6f}")
