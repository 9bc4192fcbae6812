//! From raw text to a sparse, L2-normalised tf-idf vector over hashed buckets.
//!
//! One path serves training and prediction: [`Featurizer::keys_into`] turns a note
//! into sorted bucket keys, [`Featurizer::weigh`] turns keys into tf-idf values.
//! Training only adds the IDF fit in between.

pub mod hash;
pub mod hf;
pub mod tokens;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sparse::SparseVec;
use hash::{combine, fmix, hash_bytes};
use tokens::{normalize_into, scan, TokKind};

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
    norm: String,
    keys: Vec<u32>,
    bounds: Vec<usize>,
    /// The last feature vector.
    pub vec: SparseVec,
    /// Per-label scores of the last prediction.
    pub scores: Vec<f32>,
}

/// Char n-grams are taken from at most this many characters of a word.
pub const MAX_CHAR_NGRAM_WORD: usize = 64;
const CHAR_BLOCK: u32 = 1 << 31;
const WORD_SEED: u64 = 0x0051_574f_5244;
const CHAR_SEED: u64 = 0x4348_4152;

/// A fitted featuriser: configuration plus the IDF of every bucket (0 = unseen).
#[derive(Debug)]
pub struct Featurizer {
    config: TextConfig,
    idf: Vec<f32>,
    hf: Option<hf::HfPipeline>,
}

impl Featurizer {
    /// A featuriser with the given IDF table (`idf.len()` must be the bucket count).
    pub fn new(config: TextConfig, idf: Vec<f32>) -> Result<Self> {
        config.check()?;
        if idf.len() != config.n_buckets() {
            return Err(Error::InvalidModel {
                path: None,
                reason: format!("idf table has {} entries, expected {}", idf.len(), config.n_buckets()),
            });
        }
        let hf = match &config.tokenization {
            Tokenization::HuggingFace { config } => Some(hf::HfPipeline::from_json(config)?),
            Tokenization::Fast => None,
        };
        Ok(Featurizer { config, idf, hf })
    }

    /// Fit IDF on `texts` and return the featuriser with every text's vector.
    pub fn fit(config: TextConfig, texts: &[&str]) -> Result<(Self, Vec<SparseVec>)> {
        let mut f = Featurizer::new(config.clone(), vec![1.0; config.n_buckets()])?;
        let keys: Vec<Vec<u32>> = texts
            .par_iter()
            .map_init(Scratch::default, |s, t| {
                f.keys_into(t, s);
                s.keys.clone()
            })
            .collect();
        let mut df = vec![0u32; config.n_buckets()];
        let mask = (config.n_buckets() - 1) as u32;
        let mut seen: Vec<u32> = Vec::new();
        for k in &keys {
            seen.clear();
            seen.extend(k.iter().map(|k| k & mask));
            seen.sort_unstable();
            seen.dedup();
            for &b in &seen {
                df[b as usize] += 1;
            }
        }
        let n = texts.len() as f32;
        for (idf, &d) in f.idf.iter_mut().zip(&df) {
            *idf = if d >= config.min_df && d > 0 {
                ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0
            } else {
                0.0
            };
        }
        let vecs = keys
            .par_iter()
            .map(|k| {
                let mut v = SparseVec::default();
                f.weigh(k, &mut v);
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

    /// The IDF table (0 for buckets never seen in training).
    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    pub(crate) fn set_idf(&mut self, idf: Vec<f32>) {
        debug_assert_eq!(idf.len(), self.idf.len());
        self.idf = idf;
    }

    /// The tf-idf vector of `text`, in `scratch.vec` (entries may repeat a bucket when
    /// a word and a char n-gram collide; values add up).
    pub fn transform_into(&self, text: &str, scratch: &mut Scratch) {
        self.keys_into(text, scratch);
        let keys = std::mem::take(&mut scratch.keys);
        let mut vec = std::mem::take(&mut scratch.vec);
        self.weigh(&keys, &mut vec);
        scratch.keys = keys;
        scratch.vec = vec;
    }

    /// The tf-idf vector of `text`, allocated.
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut s = Scratch::default();
        self.transform_into(text, &mut s);
        s.vec.compact();
        s.vec
    }

    /// Sorted bucket keys of `text` (char-block keys carry the top bit).
    pub fn keys_into(&self, text: &str, scratch: &mut Scratch) {
        scratch.keys.clear();
        let mask = (self.config.n_buckets() - 1) as u64;
        let Scratch { norm, keys, bounds, .. } = scratch;
        self.terms::<false>(text, norm, bounds, &mut |h, block, _| {
            keys.push((fmix(h) & mask) as u32 | block);
        });
        keys.sort_unstable();
    }

    /// Every term of `text` with its bucket and display name (for explanations).
    pub fn named_terms(&self, text: &str) -> Vec<(u32, String)> {
        let mask = (self.config.n_buckets() - 1) as u64;
        let mut out = Vec::new();
        let (mut norm, mut bounds) = (String::new(), Vec::new());
        self.terms::<true>(text, &mut norm, &mut bounds, &mut |h, _, name| {
            out.push(((fmix(h) & mask) as u32, name.unwrap_or_default()));
        });
        out
    }

    /// Turn sorted keys into tf-idf values: each block L2-normalised, the char block
    /// scaled by `char_weight`; buckets unseen in training are dropped.
    pub fn weigh(&self, keys: &[u32], out: &mut SparseVec) {
        out.clear();
        let mask = (self.config.n_buckets() - 1) as u32;
        let mut norms = [0f32; 2];
        let mut split = None;
        let mut i = 0;
        while i < keys.len() {
            let k = keys[i];
            let mut j = i + 1;
            while j < keys.len() && keys[j] == k {
                j += 1;
            }
            let tf = (j - i) as f32;
            i = j;
            let b = k & mask;
            let idf = self.idf[b as usize];
            if idf == 0.0 {
                continue;
            }
            let block = (k >> 31) as usize;
            if block == 1 && split.is_none() {
                split = Some(out.nnz());
            }
            let v = if self.config.sublinear_tf { 1.0 + tf.ln() } else { tf } * idf;
            norms[block] += v * v;
            out.push(b, v);
        }
        let split = split.unwrap_or(out.nnz());
        let scale = |n: f32, w: f32| if n > 0.0 { w / n.sqrt() } else { 0.0 };
        let (s0, s1) = (scale(norms[0], 1.0), scale(norms[1], self.config.char_weight));
        out.values[..split].iter_mut().for_each(|v| *v *= s0);
        out.values[split..].iter_mut().for_each(|v| *v *= s1);
    }

    /// Generate every term hash of `text`. With `NAMED`, also its display name.
    fn terms<const NAMED: bool>(
        &self,
        text: &str,
        norm: &mut String,
        bounds: &mut Vec<usize>,
        sink: &mut impl FnMut(u64, u32, Option<String>),
    ) {
        let [wmin, wmax] = self.config.word_ngrams.map(usize::from);
        let chars = self.config.char_ngrams.map(|[a, b]| (a as usize, b as usize));
        let mut hist = [0u64; 4];
        let mut names: Vec<String> = Vec::new();
        let mut seen = 0usize;
        let mut on_token = |kind: TokKind, tok: &str| {
            let h = hash_bytes(kind.seed() ^ WORD_SEED, tok.as_bytes());
            if !kind.in_sequence() {
                sink(h, 0, NAMED.then(|| kind.display(tok)));
            } else {
                hist.rotate_right(1);
                hist[0] = h;
                seen += 1;
                if NAMED {
                    names.insert(0, kind.display(tok));
                    names.truncate(4);
                }
                let mut acc = 0u64;
                for n in 1..=wmax.min(seen) {
                    acc = if n == 1 { h } else { combine(hist[n - 1], acc) };
                    if n >= wmin {
                        let name = NAMED.then(|| names[..n].iter().rev().cloned().collect::<Vec<_>>().join(" "));
                        sink(fmix(acc ^ n as u64), 0, name);
                    }
                }
            }
            if let (Some((cmin, cmax)), TokKind::Word) = (chars, kind) {
                char_ngrams(tok, cmin, cmax, bounds, &mut |g| {
                    sink(
                        hash_bytes(CHAR_SEED, g.as_bytes()),
                        CHAR_BLOCK,
                        NAMED.then(|| format!("[{g}]")),
                    );
                });
            }
        };
        match &self.hf {
            None => {
                normalize_into(text, norm);
                scan(norm, &mut on_token);
            }
            Some(hf) => {
                // The HF pipeline cannot fail on a valid config; an error would mean
                // the text yields no pieces, which is what we do.
                let _ = hf.pieces(text, &mut |piece| scan(piece, &mut on_token));
            }
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
        f.keys_into(&long, &mut s);
        assert_eq!(s.keys.len(), 1 + MAX_CHAR_NGRAM_WORD);
    }
}
