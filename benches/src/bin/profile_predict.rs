//! A driver for profilers (`valgrind --tool=callgrind`, `perf record`): predicts
//! the corpus test split, or its median note, many times with the default model.
//!
//! `profile_predict one 100000` — the median note 100,000 times;
//! `profile_predict all 3` — every test-split note, 3 passes;
//! `profile_predict batch 3` — `predict` of every test-split note, 3 passes (the
//! work `predict_batch` does per note);
//! `profile_predict predict 100000` — `predict` (probabilities, language, labels)
//! of the median note 100,000 times;
//! `profile_predict lang 100000` — the median note's language 100,000 times;
//! `profile_predict load 200` — load the default model 200 times;
//! a third argument names another JSON Lines file of notes to use instead, and a
//! fourth a model file to use instead of the default model.

use std::hint::black_box;

use notetag::{Classifier, Scratch};
use notetag_benches::{corpus_notes, median_note};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "one".into());
    let reps: usize = args.next().as_deref().unwrap_or("100000").parse()?;
    let notes = match args.next() {
        Some(path) => notetag_benches::texts(path.as_ref())?,
        None => corpus_notes()?,
    };
    let model = match args.next() {
        Some(path) => Classifier::load(path)?,
        None => Classifier::default_model()?,
    };
    let mut scratch = Scratch::default();
    let mut sum = 0f32;
    match mode.as_str() {
        "one" => {
            let note = median_note(&notes);
            for _ in 0..reps {
                model.probabilities_into(black_box(note), &mut scratch);
                sum += scratch.scores[0];
            }
        }
        "all" => {
            for _ in 0..reps {
                for note in &notes {
                    model.probabilities_into(black_box(note), &mut scratch);
                    sum += scratch.scores[0];
                }
            }
        }
        "batch" => {
            for _ in 0..reps {
                for note in &notes {
                    sum += model.predict(black_box(note)).probabilities()[0];
                }
            }
        }
        "predict" => {
            let note = median_note(&notes);
            for _ in 0..reps {
                sum += model.predict(black_box(note)).probabilities()[0];
            }
        }
        "lang" => {
            let note = median_note(&notes);
            for _ in 0..reps {
                sum += black_box(notetag::text::lang::profile(black_box(note))).words as f32;
            }
        }
        "load" => {
            for _ in 0..reps {
                sum += black_box(Classifier::default_model()?).table().bias()[0];
            }
        }
        other => return Err(format!("unknown mode {other:?}: use one, all, batch, predict, lang or load").into()),
    }
    println!("{sum}");
    Ok(())
}
