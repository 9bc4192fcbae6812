//! From raw text to a sparse, L2-normalised tf-idf vector over hashed buckets.
//!
//! Training and [`Featurizer::transform`] go `Featurizer::keys_into` (a note to
//! sorted bucket keys) then `Featurizer::weigh` (keys to tf-idf values), with the
//! IDF fit in between when training. A classifier's prediction runs the same
//! tokens and hashes but weighs them against its bucket table in one pass (IDF and
//! weights read together, each word's char n-grams scored once and cached, a
//! note's repeated buckets counted with a small hash table rather than a sort);
//! tests check that both give the same scores (to float rounding: the sums run
//! in another order).

pub mod hash;
pub mod hf;
pub mod lang;
pub mod tokens;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::BucketTable;
use crate::sparse::SparseVec;
use hash::{combine, fmix, hash_bytes};
use tokens::{normalize_into, scan_into, TokKind, TokenSink};

/// How text is split into tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum Tokenization {
    /// notetag's built-in scanner over NFKC + lower-cased text (fast, no allocation).
    #[default]
    Fast,
    /// A Hugging Face `tokenizers` normaliser + pre-tokeniser (JSON, stored in the
    /// model), then notetag's token rules inside each piece.
    HuggingFace {
        /// JSON with `normalizer` and/or `pre_tokenizer` entries.
        config: String,
    },
}

/// Featuriser settings.
///
/// | name | default | range | meaning |
/// | --- | --- | --- | --- |
/// | `word_ngrams` | `[1, 2]` | 1 ≤ min ≤ max ≤ 4 | word n-gram lengths |
/// | `char_ngrams` | `None` | 1 ≤ min ≤ max ≤ 8 | char n-grams inside words (padded with spaces) |
/// | `char_weight` | `1.0` | > 0 | weight of the char block after its own L2 normalisation |
/// | `bucket_bits` | `18` | 10 ..= 24 | 2^bits hashed buckets |
/// | `sublinear_tf` | `true` | | tf → 1 + ln tf |
/// | `min_df` | `1` | ≥ 1 | buckets seen in fewer training notes are dropped |
/// | `tokenization` | `Fast` | | see [`Tokenization`] |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextConfig {
    /// Word n-gram lengths, `[min, max]`.
    pub word_ngrams: [u8; 2],
    /// Char n-gram lengths within words, `[min, max]`, or none.
    pub char_ngrams: Option<[u8; 2]>,
    /// Relative weight of the char n-gram block.
    pub char_weight: f32,
    /// log2 of the number of hashed buckets.
    pub bucket_bits: u8,
    /// Use 1 + ln(tf) instead of raw counts.
    pub sublinear_tf: bool,
    /// Minimum document frequency of a bucket.
    pub min_df: u32,
    /// Tokeniser.
    pub tokenization: Tokenization,
}

impl Default for TextConfig {
    fn default() -> Self {
        TextConfig {
            word_ngrams: [1, 2],
            char_ngrams: None,
            char_weight: 1.0,
            bucket_bits: 18,
            sublinear_tf: true,
            min_df: 1,
            tokenization: Tokenization::Fast,
        }
    }
}

impl TextConfig {
    /// Check every setting against its documented range.
    pub fn check(&self) -> Result<()> {
        let [a, b] = self.word_ngrams;
        if !(1..=4).contains(&a) || a > b || b > 4 {
            return Err(Error::param(
                "word_ngrams",
                format!("[{a}, {b}]: need 1 <= min <= max <= 4"),
            ));
        }
        if let Some([a, b]) = self.char_ngrams {
            if !(1..=8).contains(&a) || a > b || b > 8 {
                return Err(Error::param(
                    "char_ngrams",
                    format!("[{a}, {b}]: need 1 <= min <= max <= 8"),
                ));
            }
        }
        if !(self.char_weight > 0.0 && self.char_weight.is_finite()) {
            return Err(Error::param(
                "char_weight",
                format!("{}: need a finite value > 0", self.char_weight),
            ));
        }
        if !(10..=24).contains(&self.bucket_bits) {
            return Err(Error::param(
                "bucket_bits",
                format!("{}: need 10..=24", self.bucket_bits),
            ));
        }
        if self.min_df == 0 {
            return Err(Error::param("min_df", "0: need >= 1"));
        }
        if let Tokenization::HuggingFace { config } = &self.tokenization {
            hf::HfPipeline::from_json(config)?;
        }
        Ok(())
    }

    /// Number of buckets.
    pub fn n_buckets(&self) -> usize {
        1 << self.bucket_bits
    }
}

/// Reusable buffers for featurising one note at a time without allocating.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) text: TextScratch,
    /// The last feature vector.
    pub vec: SparseVec,
    /// Per-label scores of the last prediction.
    pub scores: Vec<f32>,
    /// Per-word char n-gram scores remembered between notes (prediction only).
    pub(crate) words: crate::model::WordCache,
}

/// Buffers of the text pipeline.
#[derive(Debug, Default)]
pub(crate) struct TextScratch {
    norm: String,
    bounds: Vec<usize>,
    keys: NoteKeys,
    unit: Vec<(u32, f32)>,
    counts: KeyCounts,
}

/// Counts a note's word-block keys (prediction: the row positions of their
/// buckets) with a small open-addressing table, instead of sorting them.
#[derive(Debug, Default)]
struct KeyCounts {
    /// Per slot: the key (high 32 bits) and 1 + the index of its entry in
    /// `groups` (low 32 bits), or 0 when empty; every slot is 0 between calls.
    slots: Vec<u64>,
    /// Each key seen and its count, in the order first seen.
    groups: Vec<(u32, u32)>,
}

impl KeyCounts {
    /// The distinct keys that `key` maps `keys` to (`None` drops one) with their
    /// counts, in the order first seen.
    fn count(&mut self, keys: &[u32], key: impl Fn(u32) -> Option<u32>) -> &[(u32, u32)] {
        // At most half full. Keys are hash bits, or the ranks of buckets that
        // are hash bits, so their low bits spread over the slots.
        let size = (2 * keys.len()).next_power_of_two().max(64);
        if self.slots.len() < size {
            self.slots.resize(size, 0);
        }
        let (slots, mask) = (&mut self.slots[..size], size - 1);
        self.groups.clear();
        for b in keys.iter().filter_map(|&b| key(b)) {
            let mut s = b as usize & mask;
            loop {
                let slot = slots[s];
                if slot == 0 {
                    self.groups.push((b, 1));
                    slots[s] = (u64::from(b) << 32) | self.groups.len() as u64;
                    break;
                }
                if (slot >> 32) as u32 == b {
                    self.groups[(slot as u32 - 1) as usize].1 += 1;
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        slots.fill(0);
        &self.groups
    }
}

/// The hashed terms of one note before weighting: sorted word-block buckets, and
/// the char n-gram buckets of each word (`char_ends[i]` ends word `i`'s run).
#[derive(Debug, Default, Clone)]
pub(crate) struct NoteKeys {
    words: Vec<u32>,
    chars: Vec<u32>,
    char_ends: Vec<u32>,
}

/// Char n-grams are taken from at most this many characters of a word.
pub const MAX_CHAR_NGRAM_WORD: usize = 64;
const WORD_SEED: u64 = 0x0051_574f_5244;
const CHAR_SEED: u64 = 0x4348_4152;

/// A fitted featuriser: configuration plus the IDF of every bucket (0 = unseen).
///
/// A note's vector has two blocks. The word block holds word n-grams (and the
/// special tokens), weighted by (sublinear) tf × IDF and L2-normalised. The char
/// block, when char n-grams are on, is built word by word, as fastText builds word
/// vectors from sub-words: each word's char n-grams weighted by IDF give a word
/// vector; the block is the sum of the note's word vectors divided by the root of
/// the sum of their squared norms (the L2 norm, were no two words to share an
/// n-gram), times `char_weight`. Because each word's part depends on the word
/// alone, prediction scores it once per distinct word and remembers it.
#[derive(Debug)]
pub struct Featurizer {
    config: TextConfig,
    idf: Idf,
    hf: Option<hf::HfPipeline>,
}

/// Where a featuriser reads IDF: its own dense table (while training), or the
/// trained classifier's [`BucketTable`].
#[derive(Debug)]
enum Idf {
    Dense(Vec<f32>),
    Table(Arc<BucketTable>),
}

impl Featurizer {
    /// A featuriser with the given IDF table (`idf.len()` must be the bucket count).
    pub fn new(config: TextConfig, idf: Vec<f32>) -> Result<Self> {
        if idf.len() != config.n_buckets() {
            return Err(Error::InvalidModel {
                path: None,
                reason: format!("idf table has {} entries, expected {}", idf.len(), config.n_buckets()),
            });
        }
        let mut f = Featurizer::unfitted(config)?;
        f.idf = Idf::Dense(idf);
        Ok(f)
    }

    /// A featuriser with no IDF yet (every bucket reads 0), checked.
    pub(crate) fn unfitted(config: TextConfig) -> Result<Self> {
        config.check()?;
        let hf = match &config.tokenization {
            Tokenization::HuggingFace { config } => Some(hf::HfPipeline::from_json(config)?),
            Tokenization::Fast => None,
        };
        Ok(Featurizer {
            config,
            idf: Idf::Dense(Vec::new()),
            hf,
        })
    }

    /// The same featuriser reading IDF from `table` (which must have as many
    /// buckets as the configuration).
    pub(crate) fn with_table(self, table: Arc<BucketTable>) -> Self {
        debug_assert_eq!(table.n_buckets(), self.config.n_buckets());
        Featurizer {
            idf: Idf::Table(table),
            ..self
        }
    }

    /// Fit IDF on `texts` and return the featuriser with every text's vector.
    pub fn fit(config: TextConfig, texts: &[&str]) -> Result<(Self, Vec<SparseVec>)> {
        let mut f = Featurizer::unfitted(config.clone())?;
        let keys: Vec<NoteKeys> = texts
            .par_iter()
            .map_init(TextScratch::default, |s, t| {
                f.keys_into(t, s);
                s.keys.clone()
            })
            .collect();
        // Document frequencies: a bucket counts once per note, the first time the
        // note shows it (`last` holds the last note, numbered from 1, that did).
        let mut df = vec![0u32; config.n_buckets()];
        let mut last = vec![0u32; config.n_buckets()];
        for (k, note) in keys.iter().zip(1u32..) {
            for &b in k.words.iter().chain(&k.chars) {
                let seen = &mut last[b as usize];
                if *seen != note {
                    *seen = note;
                    df[b as usize] += 1;
                }
            }
        }
        let n = texts.len() as f32;
        let idf = df
            .iter()
            .map(|&d| {
                if d >= config.min_df && d > 0 {
                    ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0
                } else {
                    0.0
                }
            })
            .collect();
        f.idf = Idf::Dense(idf);
        let vecs = keys
            .par_iter()
            .map_init(Vec::new, |unit, k| {
                let mut v = SparseVec::default();
                f.weigh(k, unit, &mut v);
                v.compact();
                v
            })
            .collect();
        Ok((f, vecs))
    }

    /// The configuration.
    pub fn config(&self) -> &TextConfig {
        &self.config
    }

    /// The IDF of bucket `b` (0 for buckets never seen in training).
    #[inline]
    pub fn idf(&self, b: u32) -> f32 {
        match &self.idf {
            Idf::Dense(v) => v.get(b as usize).copied().unwrap_or(0.0),
            Idf::Table(t) => t.idf(b),
        }
    }

    /// The number of buckets with a non-zero IDF (seen in training).
    pub fn used_buckets(&self) -> usize {
        match &self.idf {
            Idf::Dense(v) => v.iter().filter(|&&x| x != 0.0).count(),
            Idf::Table(t) => t.used(),
        }
    }

    /// The dense IDF table, while the featuriser has one (training).
    pub(crate) fn dense_idf(&self) -> Option<&[f32]> {
        match &self.idf {
            Idf::Dense(v) => Some(v),
            Idf::Table(_) => None,
        }
    }

    /// Replace the dense IDF table (same length).
    pub(crate) fn set_idf(&mut self, idf: Vec<f32>) {
        debug_assert_eq!(Some(idf.len()), self.dense_idf().map(<[f32]>::len));
        self.idf = Idf::Dense(idf);
    }

    /// The tf-idf vector of `text`, in `scratch.vec` (entries may repeat a bucket when
    /// several words share a char n-gram or a word and a char n-gram collide; values
    /// add up).
    pub fn transform_into(&self, text: &str, scratch: &mut Scratch) {
        let Scratch { text: ts, vec, .. } = scratch;
        self.keys_into(text, ts);
        self.weigh(&ts.keys, &mut ts.unit, vec);
    }

    /// The tf-idf vector of `text`, allocated.
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut s = Scratch::default();
        self.transform_into(text, &mut s);
        s.vec.compact();
        s.vec
    }

    /// Hash the terms of `text` into `ts.keys`.
    fn keys_into(&self, text: &str, ts: &mut TextScratch) {
        let TextScratch { norm, bounds, keys, .. } = ts;
        let NoteKeys {
            words,
            chars,
            char_ends,
        } = keys;
        chars.clear();
        char_ends.clear();
        self.word_keys(text, norm, words, &mut |_, w| {
            self.char_buckets(w, bounds, &mut |b| chars.push(b));
            char_ends.push(chars.len() as u32);
        });
        words.sort_unstable();
    }

    /// The word-block terms of `text` that `table` holds, as the positions of
    /// their rows ([`BucketTable::index`]), with how often each occurs, in the
    /// order first seen, with `on_word` called on every word (its hash, and the
    /// word) when char n-grams are on; the caller weighs the rows
    /// ([`Featurizer::score_word_block`]) and each word's char n-grams
    /// ([`Featurizer::char_buckets`]) itself. Terms in unused buckets weigh
    /// nothing, so they are dropped before counting.
    pub(crate) fn word_counts_into<'a>(
        &self,
        text: &str,
        ts: &'a mut TextScratch,
        table: &BucketTable,
        on_word: &mut impl FnMut(u64, &str),
    ) -> &'a [(u32, u32)] {
        let TextScratch { norm, keys, counts, .. } = ts;
        self.word_keys(text, norm, &mut keys.words, on_word);
        counts.count(&keys.words, |b| table.index(b))
    }

    /// The word-block keys of `text` into `words` (unsorted, repeats kept), with
    /// `on_word` called on every word when char n-grams are on.
    fn word_keys(&self, text: &str, norm: &mut String, words: &mut Vec<u32>, on_word: &mut impl FnMut(u64, &str)) {
        let mask = (self.config.n_buckets() - 1) as u64;
        words.clear();
        let chars = self.config.char_ngrams.is_some();
        self.terms::<false>(text, norm, &mut |key, term| {
            if let Some(h) = key {
                words.push((fmix(h) & mask) as u32);
            }
            if let (true, Term::Word(h, w)) = (chars, term) {
                on_word(h, w);
            }
        });
    }

    /// Call `f` with the bucket of each char n-gram of `word` (none when char
    /// n-grams are off); the caller weighs them by IDF, as [`Featurizer::weigh`] does.
    pub(crate) fn char_buckets(&self, word: &str, bounds: &mut Vec<usize>, f: &mut impl FnMut(u32)) {
        let Some([cmin, cmax]) = self.config.char_ngrams else {
            return;
        };
        char_ngrams(word, cmin.into(), cmax.into(), bounds, &mut |g| f(self.char_bucket(g)));
    }

    /// The bucket of one char n-gram.
    #[inline]
    fn char_bucket(&self, gram: &str) -> u32 {
        (fmix(hash_bytes(CHAR_SEED, gram.as_bytes())) & (self.config.n_buckets() - 1) as u64) as u32
    }

    /// Weigh a word's char n-gram buckets by IDF, dropping unseen ones; returns the
    /// squared norm of the word's vector.
    fn unit_from_buckets(&self, unit: &mut Vec<(u32, f32)>) -> f32 {
        let mut norm = 0f32;
        unit.retain_mut(|(b, v)| {
            *v = self.idf(*b);
            norm += *v * *v;
            *v != 0.0
        });
        norm
    }

    /// Every term of `text` with its bucket and display name (for explanations).
    pub fn named_terms(&self, text: &str) -> Vec<(u32, String)> {
        let mask = (self.config.n_buckets() - 1) as u64;
        let mut out = Vec::new();
        let (mut norm, mut bounds) = (String::new(), Vec::new());
        let chars = self.config.char_ngrams.map(|[a, b]| (a as usize, b as usize));
        self.terms::<true>(text, &mut norm, &mut |key, term| {
            if let Some(h) = key {
                out.push(((fmix(h) & mask) as u32, term.name()));
            }
            if let (Some((cmin, cmax)), Term::Word(_, w)) = (chars, &term) {
                char_ngrams(w, cmin, cmax, &mut bounds, &mut |g| {
                    out.push((self.char_bucket(g), format!("[{g}]")));
                });
            }
        });
        out
    }

    /// Turn a note's keys into its vector (see [`Featurizer`] for the blocks).
    fn weigh(&self, keys: &NoteKeys, unit: &mut Vec<(u32, f32)>, out: &mut SparseVec) {
        out.clear();
        self.weigh_words(&keys.words, out);
        let mut start = 0usize;
        let split = out.nnz();
        let mut sq = 0f32;
        for &end in &keys.char_ends {
            unit.clear();
            unit.extend(keys.chars[start..end as usize].iter().map(|&b| (b, 1.0)));
            start = end as usize;
            sq += self.unit_from_buckets(unit);
            unit.iter().for_each(|&(b, v)| out.push(b, v));
        }
        if sq > 0.0 {
            let s = self.config.char_weight / sq.sqrt();
            out.values[split..].iter_mut().for_each(|v| *v *= s);
        }
    }

    /// The word block: sorted keys → (sublinear) tf × IDF, L2-normalised; buckets
    /// unseen in training are dropped.
    fn weigh_words(&self, keys: &[u32], out: &mut SparseVec) {
        let start = out.nnz();
        let mut norm = 0f32;
        self.term_frequencies(keys, |b, tf| {
            let idf = self.idf(b);
            if idf != 0.0 {
                let v = tf * idf;
                norm += v * v;
                out.push(b, v);
            }
        });
        if norm > 0.0 {
            let s = 1.0 / norm.sqrt();
            out.values[start..].iter_mut().for_each(|v| *v *= s);
        }
    }

    /// Add the word block's scores to `scores`: the values of scoring
    /// [`Featurizer::weigh_words`]' vector with `table`'s weights (summed in the
    /// order the buckets were first seen rather than bucket order, and with 8-bit
    /// weights scaled once per label rather than per weight, so the last bits may
    /// differ), in one pass: each row's IDF and weights are read together.
    /// `counts` are the note's rows and their counts
    /// ([`Featurizer::word_counts_into`]).
    pub(crate) fn score_word_block(
        &self,
        counts: &[(u32, u32)],
        table: &BucketTable,
        acc: &mut [f32],
        scores: &mut [f32],
    ) {
        acc.fill(0.0);
        let norm = table.add_rows(counts.iter().map(|&(i, n)| (i, self.tf(n as usize))), acc);
        if norm > 0.0 {
            let s = 1.0 / norm.sqrt();
            scores
                .iter_mut()
                .zip(acc.iter())
                .zip(table.weight_scales())
                .for_each(|((o, a), k)| *o += s * a * k);
        }
    }

    /// The (sublinear) term frequency of a term seen `n` times.
    #[inline]
    fn tf(&self, n: usize) -> f32 {
        // 1 + ln 1 = 1: a term seen once (most are) needs no logarithm.
        match (n, self.config.sublinear_tf) {
            (1, _) => 1.0,
            (_, true) => 1.0 + (n as f32).ln(),
            (_, false) => n as f32,
        }
    }

    /// Each distinct key of sorted `keys` with its (sublinear) term frequency.
    #[inline]
    fn term_frequencies(&self, keys: &[u32], mut f: impl FnMut(u32, f32)) {
        let mut i = 0;
        while i < keys.len() {
            let b = keys[i];
            let mut j = i + 1;
            while j < keys.len() && keys[j] == b {
                j += 1;
            }
            let n = j - i;
            i = j;
            f(b, self.tf(n));
        }
    }

    /// Generate every word-block term hash of `text`, with the term (a word
    /// carries its text, for char n-grams; with `NAMED`, every term its name).
    fn terms<const NAMED: bool>(&self, text: &str, norm: &mut String, sink: &mut impl FnMut(Option<u64>, Term<'_>)) {
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
struct TermHashes<'s, S, const NAMED: bool> {
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
enum Term<'a> {
    /// A word: its token hash and text (char n-grams are taken from it).
    Word(u64, &'a str),
    /// Any other term, named (explanations only).
    Named(String),
    /// Any other term.
    Other,
}

impl Term<'_> {
    fn name(&self) -> String {
        match self {
            Term::Word(_, w) => (*w).to_string(),
            Term::Named(n) => n.clone(),
            Term::Other => String::new(),
        }
    }
}

/// Call `f` on every char n-gram (n in `min..=max`) of `" " + word + " "`.
fn char_ngrams(word: &str, min: usize, max: usize, bounds: &mut Vec<usize>, f: &mut impl FnMut(&str)) {
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
    use super::*;

    #[test]
    fn key_counts_match_a_map_across_calls() {
        let mut counts = KeyCounts::default();
        // Long then short then long notes (the table grows, and must be empty
        // again at every call); keys sharing their low bits probe past each other.
        for (round, len) in [300usize, 5, 0, 40, 1000, 3].into_iter().enumerate() {
            let keys: Vec<u32> = (0..len)
                .map(|i| {
                    let h = fmix((round * 10_000 + i % (len / 3 + 1)) as u64) as u32;
                    if i % 4 == 0 {
                        h & 0xff
                    } else {
                        h & 0xff | (h & 0x3f00) << 8
                    }
                })
                .collect();
            let mut want = std::collections::BTreeMap::new();
            for &k in &keys {
                *want.entry(k).or_insert(0u32) += 1;
            }
            let got = counts.count(&keys, Some).to_vec();
            let firsts: Vec<u32> = got.iter().map(|&(b, _)| b).collect();
            let mut seen = std::collections::BTreeSet::new();
            let order: Vec<u32> = keys.iter().copied().filter(|k| seen.insert(*k)).collect();
            assert_eq!(firsts, order, "round {round}: buckets in first-seen order");
            assert_eq!(
                got.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
                want,
                "round {round}"
            );
            assert!(counts.slots.iter().all(|&x| x == 0), "round {round}: table left empty");
        }
    }

    fn fitted(config: TextConfig, texts: &[&str]) -> (Featurizer, Vec<SparseVec>) {
        Featurizer::fit(config, texts).unwrap()
    }

    #[test]
    fn vectors_are_unit_length_and_match_transform() {
        let texts = ["the fed raised rates", "new gpu from nvidia", "gm friends ☀️"];
        let (f, vecs) = fitted(TextConfig::default(), &texts);
        for (t, v) in texts.iter().zip(&vecs) {
            assert!((v.norm2() - 1.0).abs() < 1e-5);
            assert_eq!(&f.transform(t), v, "training and prediction paths differ for {t}");
        }
    }

    #[test]
    fn char_block_is_weighted() {
        let cfg = TextConfig {
            char_ngrams: Some([2, 4]),
            char_weight: 0.5,
            ..TextConfig::default()
        };
        let (_, vecs) = fitted(cfg, &["interest rates", "rate hike"]);
        // word block has norm 1, char block 0.5 (up to collisions merging entries).
        assert!((vecs[0].norm2() - 1.25).abs() < 0.05, "{}", vecs[0].norm2());
    }

    #[test]
    fn unseen_terms_are_dropped_and_empty_text_is_empty() {
        let (f, _) = fitted(TextConfig::default(), &["alpha beta"]);
        assert_eq!(f.transform("zeta omega").nnz(), 0);
        assert_eq!(f.transform("").nnz(), 0);
        assert_eq!(f.transform("   ").nnz(), 0);
    }

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
        let (f, _) = fitted(TextConfig::default(), &["interest rates rise"]);
        let names: Vec<String> = f.named_terms("Interest rates rise").into_iter().map(|x| x.1).collect();
        assert_eq!(names, ["interest", "rates", "interest rates", "rise", "rates rise"]);
    }

    #[test]
    fn hf_tokenization_matches_fast_on_plain_text() {
        let hf = TextConfig {
            tokenization: Tokenization::HuggingFace {
                config: hf::DEFAULT_HF_CONFIG.to_string(),
            },
            ..TextConfig::default()
        };
        let texts = ["Rates rise at the Fed, again", "GPU prices fall #tech"];
        let (a, va) = fitted(TextConfig::default(), &texts);
        let (b, vb) = fitted(hf, &texts);
        assert_eq!(va, vb);
        assert_eq!(a.transform("the fed"), b.transform("the fed"));
    }

    #[test]
    fn config_check_rejects_out_of_range() {
        for bad in [
            TextConfig {
                word_ngrams: [2, 1],
                ..TextConfig::default()
            },
            TextConfig {
                bucket_bits: 30,
                ..TextConfig::default()
            },
            TextConfig {
                char_ngrams: Some([0, 3]),
                ..TextConfig::default()
            },
            TextConfig {
                min_df: 0,
                ..TextConfig::default()
            },
            TextConfig {
                char_weight: f32::NAN,
                ..TextConfig::default()
            },
        ] {
            assert!(matches!(bad.check(), Err(Error::InvalidParam { .. })), "{bad:?}");
        }
    }

    #[test]
    fn long_words_are_capped_for_char_ngrams() {
        let cfg = TextConfig {
            char_ngrams: Some([3, 3]),
            ..TextConfig::default()
        };
        let long = "x".repeat(100_000);
        let (f, _) = fitted(cfg, &[&long]);
        let mut s = Scratch::default();
        f.keys_into(&long, &mut s.text);
        assert_eq!(
            s.text.keys.words.len() + s.text.keys.chars.len(),
            1 + MAX_CHAR_NGRAM_WORD
        );
    }
}
