//! Train on your own labels from a JSON Lines file, save the model, load it back and
//! predict.
//!
//! ```text
//! cargo run --release -p notetag-examples --example train_jsonl -- [TRAIN.jsonl] [MODEL.ntag] [NOTE…]
//! ```
//!
//! Each training line is `{"text": "…", "labels": ["a", "b"]}` (or `"label": "a"`;
//! `"labels": []` means "none of my topics"). The defaults train on
//! `examples/data/my_labels.jsonl` (sport / cooking / weather) and save to the
//! system's temporary folder.

use notetag::{io, Classifier, ClassifierParams};

fn main() -> std::process::ExitCode {
    notetag_examples::exit_status(run())
}

fn run() -> notetag::Result<()> {
    let mut args = std::env::args().skip(1);
    let train = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/data/my_labels.jsonl").to_string());
    let model_path = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("notetag-example-my-labels.ntag"));
    let mut notes: Vec<String> = args.collect();
    if notes.is_empty() {
        notes = [
            "Penalty shoot-out decides the cup final",
            "Simmer the tomato sauce with garlic and basil",
            "Gale force winds and sleet expected overnight",
        ]
        .map(String::from)
        .to_vec();
    }

    // 1. Read labelled rows; a bad line is an error naming file, line and field.
    let examples = io::read_examples(&train, None)?;

    // 2. Train. Every parameter has a documented default and range; `fit` checks them.
    let params = ClassifierParams::new().calibration_folds(3);
    let clf = params.fit(&examples)?;
    let meta = clf.meta();
    println!(
        "trained on {} rows, labels {:?}; out-of-fold accuracy {:.3}, macro-F1 {:.3}",
        meta.rows,
        clf.labels(),
        meta.cv_accuracy,
        meta.cv_macro_f1
    );

    // 3. Save (atomically) and load: the loaded model gives the same probabilities.
    clf.save(&model_path)?;
    let loaded = Classifier::load(&model_path)?;
    let size = std::fs::metadata(&model_path)?.len();
    println!("saved {size} bytes to {}", model_path.display());

    let same = notes.iter().all(|n| clf.predict_proba(n) == loaded.predict_proba(n));
    println!("reloaded model agrees with the trained one: {same}");

    // 4. Predict with the loaded model.
    for note in &notes {
        let p = loaded.predict(note);
        let probs: Vec<String> = p.scores().map(|(l, s)| format!("{l}={s:.2}")).collect();
        println!(
            "{}\t{}\t{}\t{note}",
            p.primary(),
            p.labels().collect::<Vec<_>>().join(","),
            probs.join(" ")
        );
    }
    Ok(())
}
