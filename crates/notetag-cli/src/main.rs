//! `notetag`: tag notes from the command line. A thin layer over the core crate.

mod args;
mod autotune;
mod compare;
mod nip32;
mod params;
mod plot;
mod predict;
mod progress;
#[cfg(feature = "relay")]
mod relay;
mod threshold;
mod update;

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Parser;
use notetag::{io, Classifier, Error, PredictOptions, Result};

use args::{Cli, Command, CompareArgs, EvalArgs, ExplainArgs, InfoArgs, TrainArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        // Only fails when a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("notetag: error: {e}");
            ExitCode::from(match e {
                Error::InvalidParam { .. } | Error::OneClass { .. } => 2,
                _ => 1,
            })
        }
    }
}

fn load_model(path: &Option<std::path::PathBuf>) -> Result<Classifier> {
    match path {
        Some(p) => Classifier::load(p),
        None => Classifier::default_model(),
    }
}

fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Predict(a) => predict::run(&a),
        Command::Train(a) => match a.autotune {
            Some(seconds) => autotune::train(&a, seconds),
            None => train(&a),
        },
        Command::Update(a) => update::run(&a),
        #[cfg(feature = "relay")]
        Command::Relay(a) => Ok(relay::run_labeler(&a)),
        #[cfg(feature = "relay")]
        Command::StrfryPolicy(a) => Ok(relay::run_policy(&a)),
        Command::Eval(a) => run_eval(&a),
        Command::Explain(a) => run_explain(&a),
        Command::Compare(a) => run_compare(&a),
        Command::Info(a) => run_info(&a),
    }
}

fn run_eval(a: &EvalArgs) -> Result<ExitCode> {
    let mut clf = load_model(&a.model)?;
    let opts = PredictOptions {
        threshold: a.decision.apply(&mut clf)?,
        ..PredictOptions::default()
    };
    let ex = io::read_examples(&a.input, a.format)?;
    let spin = progress::spinner(&format!("scoring {} rows", ex.len()));
    let (report, by_lang) = if a.by_lang {
        clf.evaluate_by_language(&ex, &opts)?
    } else {
        (clf.evaluate_with(&ex, &opts)?, Vec::new())
    };
    spin.finish_and_clear();
    if let Some(path) = &a.plot {
        let model = a
            .model
            .as_ref()
            .map_or("default model".into(), |p| p.display().to_string());
        let title = format!("{model} on {}", a.input.display());
        notetag::persist::write_atomic(path, plot::confusion_svg(&report, &title).as_bytes())?;
        eprintln!("notetag: wrote the confusion matrix to {}", path.display());
    }
    if a.json {
        let mut out = serde_json::to_value(&report)?;
        if a.by_lang {
            out["by_lang"] = serde_json::to_value(by_lang.into_iter().collect::<BTreeMap<_, _>>())?;
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", report.to_table());
        if a.by_lang {
            print!("{}", language_table(&by_lang));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per language: rows, primary macro-F1, the share of no-topic rows left
/// untagged and of topic rows tagged with their primary, label-set micro-F1.
fn language_table(by_lang: &[(&str, notetag::Report)]) -> String {
    let share = |rows: usize, x: f64| if rows == 0 { "-".to_string() } else { format!("{x:.4}") };
    let mut out =
        String::from("\nby language (as detected)\nlang    rows  macro-F1  untagged  tagged right  set micro-F1\n");
    for (lang, r) in by_lang {
        let a = &r.abstention;
        out += &format!(
            "{lang:<5} {:>6}  {:>8}  {:>8}  {:>12}  {:>11.4}\n",
            r.n,
            share(r.n_with_primary, r.macro_f1),
            share(a.no_topic_rows, a.no_topic_untagged),
            share(a.topic_rows, a.topic_tagged_right),
            r.set_micro_f1
        );
    }
    out
}

fn run_explain(a: &ExplainArgs) -> Result<ExitCode> {
    let clf = load_model(&a.model)?;
    let e = clf.explain(&a.text, a.k);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(ExitCode::SUCCESS);
    }
    let labels: Vec<&str> = e.prediction.labels().collect();
    println!("primary: {}   labels: [{}]", e.prediction.primary(), labels.join(", "));
    for l in &e.per_label {
        println!(
            "\n{}  p={:.3}  score={:+.3}  (bias {:+.3})",
            l.label, l.probability, l.score, l.bias
        );
        for c in &l.top {
            println!("  {:+.4}  {}", c.weight, c.feature);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_compare(a: &CompareArgs) -> Result<ExitCode> {
    let ex = io::read_examples(&a.input, a.format)?;
    let rows = compare::compare(&ex, &a.learners, a.folds, a.seed)?;
    if a.json {
        let out = serde_json::json!({
            "input": a.input.display().to_string(),
            "rows": ex.len(),
            "folds": a.folds,
            "results": rows,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", compare::table(&rows, a.folds, ex.len()));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_info(a: &InfoArgs) -> Result<ExitCode> {
    let clf = load_model(&a.model)?;
    let m = clf.meta();
    let bytes = clf.to_bytes()?.len();
    let info = serde_json::json!({
        "labels": clf.labels(),
        "thresholds": clf.thresholds(),
        "params": clf.params(),
        "size_bytes": bytes,
        "buckets_used": clf.table().used(),
        "training": m,
    });
    println!("{}", serde_json::to_string_pretty(&info)?);
    Ok(ExitCode::SUCCESS)
}

fn train(a: &TrainArgs) -> Result<ExitCode> {
    let params = a.params.params()?.check()?;
    let ex = io::read_examples(&a.input, a.format)?;
    let start = std::time::Instant::now();
    let spin = progress::spinner(&format!(
        "training on {} rows ({} calibration folds)",
        ex.len(),
        params.calibration_folds
    ));
    let mut clf = params.fit(&ex)?;
    spin.finish_and_clear();
    clf.set_source(a.input.display().to_string());
    let secs = start.elapsed().as_secs_f64();
    clf.save(&a.output)?;
    let m = clf.meta();
    eprintln!(
        "trained on {} rows in {secs:.2}s; {}-fold out-of-fold accuracy {:.4}, macro-F1 {:.4}, ECE {:.4}; wrote {}",
        m.rows,
        m.cv_folds,
        m.cv_accuracy,
        m.cv_macro_f1,
        m.cv_ece,
        a.output.display()
    );
    if let Some(dev) = &a.dev {
        let ex = io::read_examples(dev, None)?;
        let r = clf.evaluate(&ex)?;
        eprintln!("dev {}:\n{}", dev.display(), r.to_table());
    }
    Ok(ExitCode::SUCCESS)
}
