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

mod cache;
mod config;
pub mod hash;
pub mod hf;
pub mod lang;
mod terms;
pub mod tokens;

use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::sparse::SparseVec;
pub(crate) use cache::add_scaled;
pub use cache::BucketWeights;
use cache::{KeyCounts, WordCache};
pub use config::{TextConfig, Tokenization};
use hash::{fmix, hash_bytes};
use terms::{char_ngrams, Term};

/// Reusable buffers for featurising one note at a time without allocating.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) text: TextScratch,
    /// The last feature vector.
    pub vec: SparseVec,
    /// Per-label scores of the last prediction.
    pub scores: Vec<f32>,
    /// Per-word char n-gram scores remembered between notes (prediction only).
    pub(crate) words: WordCache,
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
///
/// A clone shares the IDF and weights it reads (and so the word caches' entries)
/// with the original.
#[derive(Debug, Clone)]
pub struct Featurizer {
    config: TextConfig,
    idf: Idf,
    hf: Option<Arc<hf::HfPipeline>>,
    /// Identifies the weights this featuriser reads to the per-thread word
    /// caches (0 while it has none).
    cache_id: u64,
}

/// Where a featuriser reads IDF: its own dense table (while training), or the
/// trained model's weights ([`BucketWeights`]).
#[derive(Debug, Clone)]
enum Idf {
    Dense(Vec<f32>),
    Table(Arc<dyn BucketWeights>),
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
        let hf = config.validate()?;
        Ok(Featurizer::checked(config, hf))
    }

    /// A featuriser with no IDF yet for a configuration that passed
    /// [`TextConfig::check`], with the pipeline that check parsed.
    pub(crate) fn checked(config: TextConfig, hf: Option<Arc<hf::HfPipeline>>) -> Self {
        Featurizer {
            config,
            idf: Idf::Dense(Vec::new()),
            hf,
            cache_id: 0,
        }
    }

    /// The same featuriser reading IDF from `table` (which must have as many
    /// buckets as the configuration); prediction scores notes against it.
    pub(crate) fn with_table(self, table: Arc<dyn BucketWeights>) -> Self {
        debug_assert_eq!(table.n_buckets(), self.config.n_buckets());
        Featurizer {
            idf: Idf::Table(table),
            cache_id: cache::next_cache_id(),
            ..self
        }
    }

    /// Fit IDF on `texts` and return the featuriser with every text's vector.
    pub fn fit(config: TextConfig, texts: &[&str]) -> Result<(Self, Vec<SparseVec>)> {
        let hf = config.validate()?;
        Ok(Featurizer::fit_checked(config, hf, texts))
    }

    /// [`Featurizer::fit`] for a configuration that passed [`TextConfig::check`],
    /// with the pipeline that check parsed.
    pub(crate) fn fit_checked(
        config: TextConfig,
        hf: Option<Arc<hf::HfPipeline>>,
        texts: &[&str],
    ) -> (Self, Vec<SparseVec>) {
        let mut f = Featurizer::checked(config.clone(), hf);
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
        (f, vecs)
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
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[cfg(feature = "hf-tokenizers")]
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
