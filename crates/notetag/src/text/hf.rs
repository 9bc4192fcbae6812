//! The Hugging Face `tokenizers` pipeline: a normaliser and a pre-tokeniser read from
//! the same JSON as a `tokenizer.json`'s `normalizer` / `pre_tokenizer` entries.
//! notetag's own token rules (URLs, Nostr references, numbers…) then apply inside
//! every piece the pre-tokeniser yields.

//!
//! The pipeline needs the `hf-tokenizers` feature; without it, a configuration
//! that names one is an error.

#[cfg(feature = "hf-tokenizers")]
use serde::{Deserialize, Serialize};
#[cfg(feature = "hf-tokenizers")]
use tokenizers::normalizers::NormalizerWrapper;
#[cfg(feature = "hf-tokenizers")]
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
#[cfg(feature = "hf-tokenizers")]
use tokenizers::{Normalizer, OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer};

use crate::error::{Error, Result};

/// The default HF configuration: NFKC, lower case, split on white space.
pub const DEFAULT_HF_CONFIG: &str = r#"{"normalizer":{"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Lowercase"}]},"pre_tokenizer":{"type":"WhitespaceSplit"}}"#;

#[cfg(feature = "hf-tokenizers")]
#[derive(Serialize, Deserialize)]
struct Config {
    normalizer: Option<NormalizerWrapper>,
    pre_tokenizer: Option<PreTokenizerWrapper>,
}

/// A built HF pipeline.
#[cfg(feature = "hf-tokenizers")]
pub struct HfPipeline {
    config: Config,
}

/// A built HF pipeline (none can be built without the `hf-tokenizers` feature).
#[cfg(not(feature = "hf-tokenizers"))]
#[derive(Debug)]
pub enum HfPipeline {}

#[cfg(not(feature = "hf-tokenizers"))]
impl HfPipeline {
    /// Always an error: this build has no HF tokenizers.
    pub fn from_json(_json: &str) -> Result<Self> {
        Err(Error::Tokenizer(
            "a Hugging Face tokenizer needs notetag's `hf-tokenizers` feature (this build has it off)".into(),
        ))
    }

    /// Never called: no pipeline exists without the feature.
    pub fn pieces(&self, _text: &str, _f: &mut impl FnMut(&str)) -> Result<()> {
        match *self {}
    }
}

#[cfg(feature = "hf-tokenizers")]
impl std::fmt::Debug for HfPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HfPipeline")
    }
}

#[cfg(feature = "hf-tokenizers")]
impl HfPipeline {
    /// Build from JSON with optional `normalizer` and `pre_tokenizer` entries.
    pub fn from_json(json: &str) -> Result<Self> {
        let config: Config =
            serde_json::from_str(json).map_err(|e| Error::Tokenizer(format!("bad HF tokenizer config: {e}")))?;
        Ok(HfPipeline { config })
    }

    /// Normalise and pre-tokenise `text`, calling `f` on each piece.
    pub fn pieces(&self, text: &str, f: &mut impl FnMut(&str)) -> Result<()> {
        let mut pts = PreTokenizedString::from(text);
        if let Some(n) = &self.config.normalizer {
            pts.normalize(|s| n.normalize(s))
                .map_err(|e| Error::Tokenizer(e.to_string()))?;
        }
        if let Some(p) = &self.config.pre_tokenizer {
            p.pre_tokenize(&mut pts).map_err(|e| Error::Tokenizer(e.to_string()))?;
        }
        for (piece, _, _) in pts.get_splits(OffsetReferential::Normalized, OffsetType::Byte) {
            f(piece);
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "hf-tokenizers"))]
mod tests {
    use super::*;

    #[test]
    fn default_config_normalises_and_splits() {
        let p = HfPipeline::from_json(DEFAULT_HF_CONFIG).unwrap();
        let mut out = Vec::new();
        p.pieces("Ｈello  WORLD ﬁ", &mut |s| out.push(s.to_string())).unwrap();
        assert_eq!(out, ["hello", "world", "fi"]);
    }

    #[test]
    fn bad_config_is_an_error() {
        assert!(matches!(
            HfPipeline::from_json("{\"normalizer\": 3}"),
            Err(Error::Tokenizer(_))
        ));
    }
}
