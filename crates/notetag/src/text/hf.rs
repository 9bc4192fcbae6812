//! The Hugging Face `tokenizers` pipeline: a normaliser and a pre-tokeniser read from
//! the same JSON as a `tokenizer.json`'s `normalizer` / `pre_tokenizer` entries.
//! notetag's own token rules (URLs, Nostr references, numbers…) then apply inside
//! every piece the pre-tokeniser yields.

use serde::{Deserialize, Serialize};
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{Normalizer, OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer};

use crate::error::{Error, Result};

/// The default HF configuration: NFKC, lower case, split on white space.
pub const DEFAULT_HF_CONFIG: &str = r#"{"normalizer":{"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Lowercase"}]},"pre_tokenizer":{"type":"WhitespaceSplit"}}"#;

#[derive(Serialize, Deserialize)]
struct Config {
    normalizer: Option<NormalizerWrapper>,
    pre_tokenizer: Option<PreTokenizerWrapper>,
}

/// A built HF pipeline.
pub struct HfPipeline {
    config: Config,
}

impl std::fmt::Debug for HfPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HfPipeline")
    }
}

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

#[cfg(test)]
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
