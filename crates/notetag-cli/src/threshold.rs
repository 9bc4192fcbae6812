//! `--threshold` (one probability for every label, or thresholds of some labels)
//! and `--short-note-floor`: how a command turns probabilities into labels.

use std::str::FromStr;

use clap::Args;
use notetag::{Classifier, Error, PredictOptions, Result};

/// The decision flags of the commands that tag notes.
#[derive(Args, Debug, Clone, Default)]
pub struct Decision {
    /// Probability thresholds: `P` for every label, or `LABEL=P,…` for those labels
    /// (the others keep theirs) (default: the model's tuned ones); notes of fewer
    /// than four words still need the short-note floor.
    #[arg(long, value_name = "P|LABEL=P,…")]
    pub threshold: Option<Threshold>,
    /// The lowest threshold for notes of fewer than four words (mostly replies and
    /// reactions), whatever the thresholds, in place of the model's (0 holds them
    /// to the thresholds alone) (default: the model's).
    #[arg(long, value_name = "P")]
    pub short_note_floor: Option<f32>,
}

impl Decision {
    /// Apply the flags to a loaded model: labels' own thresholds and the
    /// short-note floor are set in it ([`Classifier::set_thresholds`],
    /// [`Classifier::set_short_note_floor`]); one threshold for every label is
    /// returned, for [`notetag::PredictOptions::threshold`].
    pub fn apply(&self, clf: &mut Classifier) -> Result<Option<f32>> {
        if let Some(floor) = self.short_note_floor {
            clf.set_short_note_floor(floor)?;
        }
        match &self.threshold {
            None => Ok(None),
            Some(Threshold::All(p)) => Ok(Some(*p)),
            Some(Threshold::Labels(pairs)) => clf.set_thresholds(pairs).map(|()| None),
        }
    }
}

/// What `--threshold` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Threshold {
    /// `P`: one probability threshold for every label, in place of the model's.
    All(f32),
    /// `LABEL=P,…`: these labels' thresholds; the others keep the model's.
    Labels(Vec<(String, f32)>),
}

impl FromStr for Threshold {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let number = |v: &str| {
            v.trim().parse::<f32>().map_err(|_| Error::InvalidParam {
                name: "threshold",
                reason: format!("`{v}`: expected a number, or LABEL=P pairs separated by commas"),
            })
        };
        if !s.contains('=') {
            let p = number(s)?;
            PredictOptions {
                threshold: Some(p),
                top_k: None,
            }
            .check()?;
            return Ok(Threshold::All(p));
        }
        s.split(',')
            .map(|pair| match pair.split_once('=') {
                Some((label, p)) if !label.trim().is_empty() => Ok((label.trim().to_string(), number(p)?)),
                _ => Err(Error::InvalidParam {
                    name: "threshold",
                    reason: format!("`{pair}`: expected LABEL=P"),
                }),
            })
            .collect::<Result<_>>()
            .map(Threshold::Labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_number_or_label_pairs() {
        assert_eq!("0.5".parse::<Threshold>().unwrap(), Threshold::All(0.5));
        assert_eq!(
            "tech=0.3, personal = 0.6".parse::<Threshold>().unwrap(),
            Threshold::Labels(vec![("tech".into(), 0.3), ("personal".into(), 0.6)])
        );
        for (bad, says) in [
            ("high", "`high`: expected a number"),
            ("tech=high", "`high`: expected a number"),
            ("tech=0.3,0.5", "`0.5`: expected LABEL=P"),
            ("=0.3", "`=0.3`: expected LABEL=P"),
            ("1.01", "threshold=1.01: need a probability"),
            ("-0.5", "threshold=-0.5: need a probability"),
            ("NaN", "threshold=NaN: need a probability"),
        ] {
            let err = bad.parse::<Threshold>().unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
