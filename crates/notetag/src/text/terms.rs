//! From a note to its word-block terms (word n-grams, special tokens) and each
//! word's char n-grams, hashed; named too, for explanations.

use super::hash::{combine, fmix, hash_bytes};
use super::tokens::{normalize_into, scan_into, TokKind, TokenSink};
use super::{Featurizer, MAX_CHAR_NGRAM_WORD, WORD_SEED};

impl Featurizer {
    /// Generate every word-block term hash of `text`, with the term (a word
    /// carries its text, for char n-grams; with `NAMED`, every term its name).
    pub(super) fn terms<const NAMED: bool>(
        &self,
        text: &str,
        norm: &mut String,
        sink: &mut impl FnMut(Option<u64>, Term<'_>),
    ) {
        let [wmin, wmax] = self.config.word_ngrams.map(usize::from);
        let mut terms = TermHashes::<_, NAMED> {
            wmin,
            wmax,
            bigrams: !NAMED && wmin == 1 && wmax == 2,
            prev: [0; 3],
            seen: 0,
            names: Vec::new(),
            sink,
        };
        match &self.hf {
            None => {
                normalize_into(text, norm);
                scan_into(norm, &mut terms);
            }
            Some(hf) => {
                // The HF pipeline cannot fail on a valid config; an error would mean
                // the text yields no pieces, which is what we do.
                let _ = hf.pieces(text, &mut |piece| scan_into(piece, &mut terms));
            }
        }
    }
}

/// Turns a note's tokens into its word-block term hashes for
/// `Featurizer::terms` (as a [`TokenSink`], so that the scanner's word path
/// takes it inline).
pub(super) struct TermHashes<'s, S, const NAMED: bool> {
    wmin: usize,
    wmax: usize,
    /// Word 1-2-grams, not named: the usual case, taken in one step.
    bigrams: bool,
    /// The hashes of the tokens before this one in the sequence, the latest
    /// first, and how many of them there are (at most `wmax - 1` are used).
    prev: [u64; 3],
    seen: usize,
    /// With `NAMED`, the names of the latest tokens, the latest first.
    names: Vec<String>,
    sink: &'s mut S,
}

impl<S: FnMut(Option<u64>, Term<'_>), const NAMED: bool> TokenSink for TermHashes<'_, S, NAMED> {
    #[inline(always)]
    fn token(&mut self, kind: TokKind, tok: &str) {
        let (wmin, wmax) = (self.wmin, self.wmax);
        let h = hash_bytes(kind.seed() ^ WORD_SEED, tok.as_bytes());
        let unigram = |tok| match kind {
            TokKind::Word => Term::Word(h, tok),
            _ if NAMED => Term::Named(kind.display(tok)),
            _ => Term::Other,
        };
        let sink = &mut *self.sink;
        if !kind.in_sequence() {
            sink(Some(h), unigram(tok));
            return;
        }
        if self.bigrams {
            // Unigrams and bigrams (the usual setting), as the general steps
            // below make them.
            sink(Some(fmix(h ^ 1)), unigram(tok));
            if self.seen > 0 {
                sink(Some(fmix(combine(self.prev[0], h) ^ 2)), Term::Other);
            }
            self.prev[0] = h;
            self.seen += 1;
            return;
        }
        if NAMED {
            self.names.insert(0, kind.display(tok));
            self.names.truncate(4);
        }
        if wmin == 1 {
            // The unigram carries the word itself (for its char n-grams).
            sink(Some(fmix(h ^ 1)), unigram(tok));
        }
        // The n-gram ending here, for n = 2..: this token's hash combined
        // with the previous ones, the latest first.
        let mut acc = h;
        for n in 2..=wmax.min(self.seen + 1) {
            acc = combine(self.prev[n - 2], acc);
            if n < wmin {
                continue;
            }
            let key = fmix(acc ^ n as u64);
            if NAMED {
                let name = self.names[..n].iter().rev().cloned().collect::<Vec<_>>().join(" ");
                sink(Some(key), Term::Named(name));
            } else {
                sink(Some(key), Term::Other);
            }
        }
        if wmin > 1 && kind == TokKind::Word {
            // Char n-grams still need the word when unigrams are off.
            sink(None, Term::Word(h, tok));
        }
        self.prev = [h, self.prev[0], self.prev[1]];
        self.seen += 1;
    }
}

/// One word-block term handed out by `Featurizer::terms`.
pub(super) enum Term<'a> {
    /// A word: its token hash and text (char n-grams are taken from it).
    Word(u64, &'a str),
    /// Any other term, named (explanations only).
    Named(String),
    /// Any other term.
    Other,
}

impl Term<'_> {
    pub(super) fn name(&self) -> String {
        match self {
            Term::Word(_, w) => (*w).to_string(),
            Term::Named(n) => n.clone(),
            Term::Other => String::new(),
        }
    }
}

/// Call `f` on every char n-gram (n in `min..=max`) of `" " + word + " "`.
pub(super) fn char_ngrams(word: &str, min: usize, max: usize, bounds: &mut Vec<usize>, f: &mut impl FnMut(&str)) {
    let mut padded = [0u8; MAX_CHAR_NGRAM_WORD * 4 + 2];
    let mut end = word.len();
    if word.chars().count() > MAX_CHAR_NGRAM_WORD {
        end = word
            .char_indices()
            .nth(MAX_CHAR_NGRAM_WORD)
            .map_or(word.len(), |(i, _)| i);
    }
    let w = &word[..end];
    padded[0] = b' ';
    padded[1..=w.len()].copy_from_slice(w.as_bytes());
    padded[w.len() + 1] = b' ';
    let s = std::str::from_utf8(&padded[..w.len() + 2]).unwrap_or(" ");
    bounds.clear();
    bounds.extend(s.char_indices().map(|(i, _)| i));
    bounds.push(s.len());
    let nchars = bounds.len() - 1;
    for n in min..=max.min(nchars) {
        for start in 0..=nchars - n {
            f(&s[bounds[start]..bounds[start + n]]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::TextConfig;
    use super::*;

    #[test]
    fn hashed_terms_are_the_named_terms_buckets() {
        // The hashing path (with its shortcut for word 1-2-grams) and the naming
        // path (always the general steps) must give the same buckets, in order.
        let texts = [
            "Interest rates rise, rates rise again",
            "gm #nostr @alice see https://example.com/x.png $BTC 5% in 2024",
            "one",
            "",
            "a b a b a b c d e f g",
        ];
        for (wmin, wmax) in [(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (1, 4), (3, 4)] {
            let config = TextConfig {
                word_ngrams: [wmin, wmax],
                bucket_bits: 16,
                ..TextConfig::default()
            };
            let f = Featurizer::unfitted(config).unwrap();
            for t in texts {
                let mut hashed = Vec::new();
                f.word_keys(t, &mut String::new(), &mut hashed, &mut |_, _| {});
                let named: Vec<u32> = f.named_terms(t).into_iter().map(|(b, _)| b).collect();
                assert_eq!(hashed, named, "word {wmin}-{wmax}: {t:?}");
            }
        }
    }

    #[test]
    fn named_terms_name_ngrams() {
        let (f, _) = Featurizer::fit(TextConfig::default(), &["interest rates rise"]).unwrap();
        let names: Vec<String> = f.named_terms("Interest rates rise").into_iter().map(|x| x.1).collect();
        assert_eq!(names, ["interest", "rates", "interest rates", "rise", "rates rise"]);
    }
}
