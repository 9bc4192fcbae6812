//! Featuriser settings: how text becomes tokens and features.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::hf;
use crate::error::{Error, Result};

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
        self.validate().map(|_| ())
    }

    /// Check every setting, and parse the Hugging Face pipeline (when the
    /// tokenisation names one) for the featuriser to use.
    pub(crate) fn validate(&self) -> Result<Option<Arc<hf::HfPipeline>>> {
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
        match &self.tokenization {
            Tokenization::HuggingFace { config } => Ok(Some(Arc::new(hf::HfPipeline::from_json(config)?))),
            Tokenization::Fast => Ok(None),
        }
    }

    /// Number of buckets.
    pub fn n_buckets(&self) -> usize {
        1 << self.bucket_bits
    }
}
