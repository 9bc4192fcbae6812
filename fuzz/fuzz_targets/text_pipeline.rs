//! The text pipeline on arbitrary text: normalise, tokenise, hash, weigh, score and
//! explain, with the embedded default model (word and char n-grams) and a
//! Hugging Face tokenizer featuriser.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use notetag::text::{hf, Featurizer};
use notetag::{Classifier, Scratch, TextConfig, Tokenization};

fn model() -> &'static Classifier {
    static M: OnceLock<Classifier> = OnceLock::new();
    M.get_or_init(|| Classifier::default_model().unwrap())
}

fn hf_featurizer() -> &'static Featurizer {
    static F: OnceLock<Featurizer> = OnceLock::new();
    F.get_or_init(|| {
        let config = TextConfig {
            tokenization: Tokenization::HuggingFace {
                config: hf::DEFAULT_HF_CONFIG.to_string(),
            },
            char_ngrams: Some([1, 8]),
            bucket_bits: 10,
            ..TextConfig::default()
        };
        let n = config.n_buckets();
        Featurizer::new(config, vec![1.0; n]).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let m = model();
    let p = m.predict(&text);
    assert!(m.labels().iter().any(|l| l == p.primary()));
    assert!(
        p.probabilities().iter().all(|s| (0.0..=1.0).contains(s)),
        "{:?}",
        p.probabilities()
    );
    let e = m.explain(&text, 3);
    assert_eq!(e.per_label.len(), m.labels().len());
    let mut s = Scratch::default();
    m.featurizer().transform_into(&text, &mut s);
    assert!(s.vec.values.iter().all(|v| v.is_finite()));
    let f = hf_featurizer();
    f.transform_into(&text, &mut s);
    assert!(s.vec.values.iter().all(|v| v.is_finite()));
    let _ = f.named_terms(&text);
});
