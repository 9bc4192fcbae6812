//! The parameter vocabulary: one table of every parameter the command line
//! (`notetag train` flags), the Python keyword arguments, `compare`'s presets
//! and the default model's build script share, with one name each.
//!
//! [`PARAMS`] lists them (name, kind, default, range, doc); the command line
//! makes its flags from it and the Python package is checked against it.
//! [`ClassifierParams::from_values`] builds parameters from `(name, value)`
//! pairs in any order, [`ClassifierParams::from_text`] from their text forms
//! (as flags and presets write them), and [`ClassifierParams::values`] gives
//! them back.
//!
//! | name | default | range | meaning |
//! | --- | --- | --- | --- |
//! | `learner` | `svm+nb` | `svm`, `nb`, `svm+nb` | linear SVM, complement naive Bayes, or their ensemble |
//! | `c` | 1 | > 0 | SVM: inverse regularisation strength |
//! | `loss` | `squared_hinge` | `squared_hinge`, `hinge` | SVM loss |
//! | `balanced` | false | | SVM: weigh positives and negatives by inverse frequency |
//! | `max_iter` | 5 | ≥ 1 | SVM: passes over the data |
//! | `tol` | 0.05 | > 0 | SVM: stopping tolerance |
//! | `nb_ratio` | false | | SVM: scale features by their naive-Bayes log-count ratio |
//! | `alpha` | 0.3 | > 0 | naive Bayes: additive smoothing |
//! | `nb_weight` | 1 | > 0 | `svm+nb`: weight of naive Bayes beside the SVM's 1 |
//! | `word_ngrams` | 1-2 | 1 ≤ min ≤ max ≤ 4 | word n-gram lengths |
//! | `char_ngrams` | 2-5 | 1 ≤ min ≤ max ≤ 8 | char n-gram lengths inside words |
//! | `char_weight` | 1 | > 0 | weight of the char n-gram block |
//! | `bucket_bits` | 20 | 10 ..= 24 | log2 of the number of hashed buckets |
//! | `sublinear_tf` | true | | 1 + ln(tf) instead of raw counts |
//! | `min_df` | 1 | ≥ 1 | drop buckets seen in fewer training notes |
//! | `tokenizer` | none | JSON | HF normaliser / pre-tokeniser, or notetag's scanner |
//! | `calibration_folds` | 3 | 2 ..= 20 | folds for out-of-fold calibration and thresholds |
//! | `seed` | 42 | any | seed of every random choice |
//! | `quantize` | true | | 8-bit weights, 16-bit IDF |
//! | `classes` | none | unique, not blank | a fixed label set |
//! | `threshold_floor` | 0 | 0 ..= 1 | the lowest threshold a label may get |

use std::fmt;

use super::ensemble::EnsembleParams;
use super::learner::LearnerConfig;
use super::nb::NbParams;
use super::params::ClassifierParams;
use super::svm::{SvmLoss, SvmParams};
use crate::error::{Error, Result};
use crate::text::Tokenization;

/// The kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Int,
    /// A number.
    Float,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// Two whole numbers, `MIN-MAX` in text.
    Range,
    /// Two whole numbers, or none (`none` in text).
    OptionalRange,
    /// A string, or none (`none` in text).
    OptionalText,
    /// A list of strings (comma-separated in text), or none (`none` in text).
    OptionalList,
}

/// One parameter of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name (a command-line flag replaces `_` with `-`).
    pub name: &'static str,
    /// The kind of value it takes.
    pub kind: Kind,
    /// Its default, in text form ([`Value::parse`] reads it).
    pub default: &'static str,
    /// The values accepted.
    pub range: &'static str,
    /// What it does.
    pub doc: &'static str,
}

const LEARNERS: &[&str] = &["svm", "nb", "svm+nb"];
const LOSSES: &[&str] = &["squared_hinge", "hinge"];

const fn param(name: &'static str, kind: Kind, default: &'static str, range: &'static str, doc: &'static str) -> Param {
    Param {
        name,
        kind,
        default,
        range,
        doc,
    }
}

/// Every parameter of the vocabulary, in a fixed order (the Python
/// constructor's).
pub const PARAMS: &[Param] = &[
    param("learner", Kind::Choice(LEARNERS), "svm+nb", "svm, nb, svm+nb",
        "Learner: one-vs-rest linear SVM (dual coordinate descent), complement naive Bayes, or their ensemble (scores added, naive Bayes weighted by nb_weight)"),
    param("c", Kind::Float, "1", "> 0", "SVM: inverse regularisation strength"),
    param("loss", Kind::Choice(LOSSES), "squared_hinge", "squared_hinge, hinge", "SVM: loss"),
    param("balanced", Kind::Bool, "false", "true, false", "SVM: weigh positives and negatives by inverse frequency"),
    param("max_iter", Kind::Int, "5", ">= 1", "SVM: maximum passes over the data"),
    param("tol", Kind::Float, "0.05", "> 0", "SVM: stopping tolerance"),
    param("nb_ratio", Kind::Bool, "false", "true, false", "SVM: scale features by their naive-Bayes log-count ratio (NB-SVM)"),
    param("alpha", Kind::Float, "0.3", "> 0", "Naive Bayes: additive smoothing"),
    param("nb_weight", Kind::Float, "1", "> 0", "svm+nb: weight of naive Bayes beside the SVM's 1"),
    param("word_ngrams", Kind::Range, "1-2", "1 <= min <= max <= 4", "Word n-gram lengths, MIN-MAX"),
    param("char_ngrams", Kind::OptionalRange, "2-5", "1 <= min <= max <= 8, or none", "Char n-gram lengths inside words, MIN-MAX"),
    param("char_weight", Kind::Float, "1", "> 0", "Weight of the char n-gram block"),
    param("bucket_bits", Kind::Int, "20", "10..=24", "log2 of the number of hashed feature buckets"),
    param("sublinear_tf", Kind::Bool, "true", "true, false", "Use 1 + ln(tf) instead of raw term counts"),
    param("min_df", Kind::Int, "1", ">= 1", "Drop buckets seen in fewer training notes"),
    param("tokenizer", Kind::OptionalText, "none", "JSON, or none",
        "JSON of a Hugging Face tokenizers normaliser and/or pre-tokeniser ({\"normalizer\": ..., \"pre_tokenizer\": ...}); none for notetag's own scanner"),
    param("calibration_folds", Kind::Int, "3", "2..=20", "Folds of the internal cross-validation that fits calibration and thresholds"),
    param("seed", Kind::Int, "42", ">= 0", "Seed of every random choice: same data and seed, same model"),
    param("quantize", Kind::Bool, "true", "true, false", "Store weights as 8-bit and IDF as 16-bit numbers (smaller models)"),
    param("classes", Kind::OptionalList, "none", "unique, not blank, or none", "A fixed label set; none takes the labels found in the training data"),
    param("threshold_floor", Kind::Float, "0", "0..=1",
        "The lowest threshold a label may get: the tuned thresholds are raised to it, for precision where notes are more often topic-less than in the training data"),
    param("short_note_floor", Kind::Float, "0", "0..=1",
        "The lowest threshold for a note of fewer than four words (mostly replies and reactions), at prediction, whatever the thresholds; 0 treats short notes like the others"),
];

/// The parameter called `name`.
pub fn find_param(name: &str) -> Result<&'static Param> {
    PARAMS.iter().find(|p| p.name == name).ok_or_else(|| {
        let known: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
        Error::InvalidParam {
            name: "parameter",
            reason: format!("unknown parameter `{name}` (known: {})", known.join(", ")),
        }
    })
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// For [`Kind::Bool`].
    Bool(bool),
    /// For [`Kind::Int`].
    Int(i64),
    /// For [`Kind::Float`].
    Float(f64),
    /// For [`Kind::Choice`] and [`Kind::OptionalText`].
    Text(String),
    /// For [`Kind::Range`] and [`Kind::OptionalRange`].
    Range(i64, i64),
    /// For [`Kind::OptionalList`].
    List(Vec<String>),
    /// For the optional kinds: none.
    None,
}

impl Value {
    /// Read the text form of a value of `param` (as [`Value`]'s `Display` writes
    /// it): `true`/`false`, numbers, `MIN-MAX`, comma-separated lists, `none`.
    pub fn parse(param: &Param, s: &str) -> Result<Value> {
        let bad = |what: &str| Error::InvalidParam {
            name: param.name,
            reason: format!("`{s}`: expected {what}"),
        };
        let t = s.trim();
        let optional = matches!(
            param.kind,
            Kind::OptionalRange | Kind::OptionalText | Kind::OptionalList
        );
        if optional && t == "none" {
            return Ok(Value::None);
        }
        Ok(match param.kind {
            Kind::Bool => match t {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(bad("true or false")),
            },
            Kind::Int => Value::Int(t.parse().map_err(|_| bad("a whole number"))?),
            Kind::Float => Value::Float(t.parse().map_err(|_| bad("a number"))?),
            Kind::Choice(choices) => {
                if !choices.contains(&t) {
                    return Err(bad(&choices.join(", ")));
                }
                Value::Text(t.to_string())
            }
            Kind::Range | Kind::OptionalRange => {
                let what = if optional {
                    "MIN-MAX (e.g. 2-5) or none"
                } else {
                    "MIN-MAX (e.g. 1-2)"
                };
                let (a, b) = t.split_once('-').ok_or_else(|| bad(what))?;
                let int = |x: &str| x.trim().parse::<i64>().map_err(|_| bad(what));
                Value::Range(int(a)?, int(b)?)
            }
            Kind::OptionalText => Value::Text(s.to_string()),
            Kind::OptionalList => Value::List(
                t.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
            Value::Range(a, b) => write!(f, "{a}-{b}"),
            Value::List(l) => f.write_str(&l.join(",")),
            Value::None => f.write_str("none"),
        }
    }
}

/// The parameters as the vocabulary sees them: the learner by name, with the
/// settings of both learners kept whichever is chosen, so that values may come
/// in any order.
#[derive(Debug, Clone)]
struct Flat {
    learner: String,
    svm: SvmParams,
    nb: NbParams,
    nb_weight: f32,
    rest: ClassifierParams,
}

impl Flat {
    fn of(p: &ClassifierParams) -> Flat {
        let (learner, svm, nb, nb_weight) = match &p.learner {
            LearnerConfig::Svm(s) => ("svm", s.clone(), NbParams::default(), 1.0),
            LearnerConfig::ComplementNb(n) => ("nb", SvmParams::default(), n.clone(), 1.0),
            LearnerConfig::Ensemble(e) => match e.members.as_slice() {
                [(LearnerConfig::Svm(s), w), (LearnerConfig::ComplementNb(n), nw)] => {
                    ("svm+nb", s.clone(), n.clone(), nw / w)
                }
                _ => ("unknown", SvmParams::default(), NbParams::default(), 1.0),
            },
        };
        Flat {
            learner: learner.into(),
            svm,
            nb,
            nb_weight,
            rest: p.clone(),
        }
    }

    fn build(self) -> ClassifierParams {
        let learner = match self.learner.as_str() {
            "nb" => LearnerConfig::ComplementNb(self.nb),
            "svm+nb" => LearnerConfig::Ensemble(EnsembleParams {
                members: vec![
                    (LearnerConfig::Svm(self.svm), 1.0),
                    (LearnerConfig::ComplementNb(self.nb), self.nb_weight),
                ],
            }),
            _ => LearnerConfig::Svm(self.svm),
        };
        ClassifierParams { learner, ..self.rest }
    }

    fn set(&mut self, p: &Param, v: Value) -> Result<()> {
        let bad = |v: &Value| Error::InvalidParam {
            name: p.name,
            reason: format!("`{v}`: expected {}", p.range),
        };
        let t = &mut self.rest.text;
        match (p.name, v) {
            ("learner", Value::Text(s)) if LEARNERS.contains(&s.as_str()) => self.learner = s,
            ("c", Value::Float(x)) => self.svm.c = x as f32,
            ("loss", Value::Text(s)) if s == "hinge" => self.svm.loss = SvmLoss::Hinge,
            ("loss", Value::Text(s)) if s == "squared_hinge" => self.svm.loss = SvmLoss::SquaredHinge,
            ("balanced", Value::Bool(b)) => self.svm.balanced = b,
            ("max_iter", Value::Int(i)) => self.svm.max_iter = int(p, i)?,
            ("tol", Value::Float(x)) => self.svm.tol = x as f32,
            ("nb_ratio", Value::Bool(b)) => self.svm.nb_ratio = b,
            ("alpha", Value::Float(x)) => self.nb.alpha = x as f32,
            ("nb_weight", Value::Float(x)) => self.nb_weight = x as f32,
            ("word_ngrams", Value::Range(a, b)) => t.word_ngrams = [int(p, a)?, int(p, b)?],
            ("char_ngrams", Value::Range(a, b)) => t.char_ngrams = Some([int(p, a)?, int(p, b)?]),
            ("char_ngrams", Value::None) => t.char_ngrams = None,
            ("char_weight", Value::Float(x)) => t.char_weight = x as f32,
            ("bucket_bits", Value::Int(i)) => t.bucket_bits = int(p, i)?,
            ("sublinear_tf", Value::Bool(b)) => t.sublinear_tf = b,
            ("min_df", Value::Int(i)) => t.min_df = int(p, i)?,
            ("tokenizer", Value::Text(config)) => t.tokenization = Tokenization::HuggingFace { config },
            ("tokenizer", Value::None) => t.tokenization = Tokenization::Fast,
            ("calibration_folds", Value::Int(i)) => self.rest.calibration_folds = int(p, i)?,
            ("seed", Value::Int(i)) => self.rest.seed = int(p, i)?,
            ("quantize", Value::Bool(b)) => self.rest.quantize = b,
            ("classes", Value::List(l)) => self.rest.classes = Some(l),
            ("classes", Value::None) => self.rest.classes = None,
            ("threshold_floor", Value::Float(x)) => self.rest.threshold_floor = x as f32,
            ("short_note_floor", Value::Float(x)) => self.rest.short_note_floor = x as f32,
            (_, v) => return Err(bad(&v)),
        }
        Ok(())
    }

    fn get(&self, name: &str) -> Value {
        let t = &self.rest.text;
        let float = |x: f32| Value::Float(x.to_string().parse().unwrap_or(f64::from(x)));
        let range = |[a, b]: [u8; 2]| Value::Range(a.into(), b.into());
        match name {
            "learner" => Value::Text(self.learner.clone()),
            "c" => float(self.svm.c),
            "loss" => Value::Text(
                match self.svm.loss {
                    SvmLoss::Hinge => "hinge",
                    SvmLoss::SquaredHinge => "squared_hinge",
                }
                .into(),
            ),
            "balanced" => Value::Bool(self.svm.balanced),
            "max_iter" => Value::Int(self.svm.max_iter.into()),
            "tol" => float(self.svm.tol),
            "nb_ratio" => Value::Bool(self.svm.nb_ratio),
            "alpha" => float(self.nb.alpha),
            "nb_weight" => float(self.nb_weight),
            "word_ngrams" => range(t.word_ngrams),
            "char_ngrams" => t.char_ngrams.map_or(Value::None, range),
            "char_weight" => float(t.char_weight),
            "bucket_bits" => Value::Int(t.bucket_bits.into()),
            "sublinear_tf" => Value::Bool(t.sublinear_tf),
            "min_df" => Value::Int(t.min_df.into()),
            "tokenizer" => match &t.tokenization {
                Tokenization::HuggingFace { config } => Value::Text(config.clone()),
                Tokenization::Fast => Value::None,
            },
            "calibration_folds" => Value::Int(self.rest.calibration_folds.into()),
            "seed" => Value::Int(i64::try_from(self.rest.seed).unwrap_or(i64::MAX)),
            "quantize" => Value::Bool(self.rest.quantize),
            "classes" => self.rest.classes.clone().map_or(Value::None, Value::List),
            "threshold_floor" => float(self.rest.threshold_floor),
            "short_note_floor" => float(self.rest.short_note_floor),
            _ => Value::None,
        }
    }
}

/// A whole number in the range of `T`, or an error naming the parameter.
fn int<T: TryFrom<i64>>(p: &Param, i: i64) -> Result<T> {
    T::try_from(i).map_err(|_| Error::InvalidParam {
        name: p.name,
        reason: format!("{i} is out of range (need {})", p.range),
    })
}

impl ClassifierParams {
    /// Parameters from `(name, value)` pairs of the vocabulary ([`PARAMS`]), in
    /// any order, over the defaults. An unknown name or a value of the wrong
    /// kind is an error; ranges are checked by [`ClassifierParams::check`].
    pub fn from_values<'a>(values: impl IntoIterator<Item = (&'a str, Value)>) -> Result<ClassifierParams> {
        let mut flat = Flat::of(&ClassifierParams::default());
        for (name, v) in values {
            flat.set(find_param(name)?, v)?;
        }
        Ok(flat.build())
    }

    /// Parameters from `(name, text)` pairs, the text read by [`Value::parse`]
    /// (as command-line flags and presets write values).
    pub fn from_text<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<ClassifierParams> {
        let parsed = values
            .into_iter()
            .map(|(name, s)| Ok((name, Value::parse(find_param(name)?, s)?)))
            .collect::<Result<Vec<_>>>()?;
        Self::from_values(parsed)
    }

    /// Every parameter of the vocabulary with its value here, in [`PARAMS`]
    /// order. A learner outside the vocabulary (an ensemble other than
    /// `svm+nb`) reads as `unknown`.
    pub fn values(&self) -> Vec<(&'static str, Value)> {
        let flat = Flat::of(self);
        PARAMS.iter().map(|p| (p.name, flat.get(p.name))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_in_the_table_are_the_defaults() {
        let defaults = ClassifierParams::default();
        for (p, (name, v)) in PARAMS.iter().zip(defaults.values()) {
            assert_eq!(p.name, name);
            assert_eq!(Value::parse(p, p.default).unwrap(), v, "{name}");
            assert_eq!(v.to_string(), p.default, "{name}");
        }
        let from_text = ClassifierParams::from_text(PARAMS.iter().map(|p| (p.name, p.default))).unwrap();
        assert_eq!(from_text, defaults);
    }

    #[test]
    fn values_round_trip_in_any_order() {
        let p = ClassifierParams::from_text([
            ("c", "2"),
            ("nb_weight", "3"),
            ("learner", "svm+nb"),
            ("alpha", "0.1"),
            ("char_ngrams", "2-5"),
            ("classes", "a, b"),
            ("balanced", "false"),
        ])
        .unwrap();
        let LearnerConfig::Ensemble(e) = &p.learner else {
            panic!("{p:?}")
        };
        assert_eq!(e.members.len(), 2);
        assert_eq!(p.text.char_ngrams, Some([2, 5]));
        assert_eq!(p.classes, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(ClassifierParams::from_values(p.values()).unwrap(), p);
    }

    #[test]
    fn wrong_names_kinds_and_ranges_are_errors() {
        for (name, text) in [
            ("folds", "5"),
            ("learner", "complement_nb"),
            ("word_ngrams", "2"),
            ("bucket_bits", "300"),
            ("balanced", "yes"),
        ] {
            let err = ClassifierParams::from_text([(name, text)]).unwrap_err();
            assert!(matches!(err, Error::InvalidParam { .. }), "{name}: {err}");
        }
        let err = ClassifierParams::from_values([("c", Value::Text("x".into()))]).unwrap_err();
        assert!(err.to_string().contains("invalid parameter `c`"), "{err}");
    }
}
