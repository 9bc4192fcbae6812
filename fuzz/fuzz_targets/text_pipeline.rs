//! The text pipeline on arbitrary text (`checks::text_pipeline`): normalise,
//! tokenise, hash, weigh, score and explain with the default model, the fused
//! prediction path against the vector path, and a Hugging Face featuriser.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::text_pipeline(data));
