//! `notetag train --autotune SECONDS`: search the parameters by cross-validation
//! on the training data, within a time budget, and save the best model.

use std::process::ExitCode;

use notetag::model::autotune::{Trial, TuneProgress};
use notetag::{io, AutotuneOptions, Result};

use crate::args::TrainArgs;

/// Rows of the leaderboard printed.
const SHOWN: usize = 10;

/// Run the search `a` asks for (`a.autotune` seconds) and write the best model.
pub fn train(a: &TrainArgs, seconds: f64) -> Result<ExitCode> {
    let params = a.params.params()?;
    let options = AutotuneOptions::new(seconds)?.metric(a.metric.clone());
    let ex = io::read_examples(&a.input, a.format)?;
    eprintln!(
        "autotune: {seconds} s on {} rows, {} by {}-fold cross-validation on the training data",
        ex.len(),
        options.metric,
        params.calibration_folds
    );
    let tuned = params.autotune_with(&ex, &options, progress)?;
    let mut clf = tuned.classifier;
    clf.set_source(a.input.display().to_string());
    clf.save(&a.output)?;
    println!("{}", leaderboard(&tuned.leaderboard, &options.metric.to_string()));
    let best = &tuned.leaderboard[0];
    eprintln!(
        "autotune: {} candidates in {:.1}s; best {} {:.4} (macro-F1 {:.4}); wrote {}\n\
         the same parameters without the search: notetag train {} (and your other flags)",
        tuned.leaderboard.len(),
        tuned.elapsed.as_secs_f64(),
        options.metric,
        best.score,
        best.macro_f1,
        a.output.display(),
        flags(&best.config())
    );
    if tuned.elapsed.as_secs_f64() > 1.1 * seconds {
        eprintln!(
            "autotune: note: the search ran past its budget: the slowest candidate took {:.1}s, \
             and a budget several times that keeps to time",
            tuned.leaderboard.iter().map(|t| t.seconds).fold(0.0, f64::max)
        );
    }
    if let Some(dev) = &a.dev {
        let r = clf.evaluate(&io::read_examples(dev, None)?)?;
        eprintln!("dev {}:\n{}", dev.display(), r.to_table());
    }
    Ok(ExitCode::SUCCESS)
}

/// One line on standard error per candidate.
fn progress(p: &TuneProgress<'_>) {
    eprintln!(
        "[{:>6.1}s of {:.0}s] #{:<3} {:.4} ({:.1}s)  best {:.4}  {}",
        p.elapsed.as_secs_f64(),
        p.budget.as_secs_f64(),
        p.trials,
        p.trial.score,
        p.trial.seconds,
        p.best.score,
        p.trial.config()
    );
}

/// The best candidates as a table.
fn leaderboard(trials: &[Trial], metric: &str) -> String {
    let mut out = format!("rank  {metric:>10}  macro-F1  train s  parameters");
    for (i, t) in trials.iter().take(SHOWN).enumerate() {
        out.push_str(&format!(
            "\n{:>4}  {:>10.4}  {:>8.4}  {:>7.1}  {}",
            i + 1,
            t.score,
            t.macro_f1,
            t.seconds,
            t.config()
        ));
    }
    if trials.len() > SHOWN {
        out.push_str(&format!("\n({} more candidates)", trials.len() - SHOWN));
    }
    out
}

/// `notetag train` flags for a configuration line (`name=value` pairs).
fn flags(config: &str) -> String {
    config
        .split_whitespace()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            match (k, v) {
                ("balanced", "true") => Some("--balanced".to_string()),
                ("balanced", _) => Some("--no-balanced".to_string()),
                _ => Some(format!("--{} {v}", k.replace('_', "-"))),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_lines_become_train_flags() {
        assert_eq!(
            flags("learner=svm+nb c=0.5 balanced=false nb_weight=2 word_ngrams=1-2 char_ngrams=none min_df=1"),
            "--learner svm+nb --c 0.5 --no-balanced --nb-weight 2 --word-ngrams 1-2 --char-ngrams none --min-df 1"
        );
        assert_eq!(flags("learner=svm balanced=true"), "--learner svm --balanced");
    }
}
