//! `notetag train`'s parameter flags, made from the core's parameter vocabulary
//! ([`notetag::model::PARAMS`]): one flag per parameter, named as it is (`_`
//! written `-`), with its default and range in the help; a boolean also gets a
//! `--no-NAME` negation.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use notetag::model::{Kind, PARAMS};
use notetag::{ClassifierParams, Result};

/// The parameter flags as given (their text), by parameter name.
#[derive(Debug, Clone, Default)]
pub struct ParamArgs(Vec<(&'static str, String)>);

/// The flag of a parameter.
pub fn flag(name: &str) -> String {
    name.replace('_', "-")
}

/// The argument id of a boolean's negation.
fn negation(name: &str) -> String {
    format!("no_{name}")
}

fn value_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Int => "N",
        Kind::Float => "X",
        Kind::Range => "MIN-MAX",
        Kind::OptionalRange => "MIN-MAX|none",
        Kind::OptionalText => "JSON|none",
        Kind::OptionalList => "A,B,…|none",
        _ => "VALUE",
    }
}

impl Args for ParamArgs {
    fn augment_args(mut cmd: Command) -> Command {
        for p in PARAMS {
            let arg = Arg::new(p.name).long(flag(p.name));
            cmd = match p.kind {
                Kind::Bool => cmd
                    .arg(
                        arg.action(ArgAction::SetTrue)
                            .help(format!("{} (default: {})", p.doc, p.default))
                            .overrides_with(negation(p.name)),
                    )
                    .arg(
                        Arg::new(negation(p.name))
                            .long(format!("no-{}", flag(p.name)))
                            .action(ArgAction::SetTrue)
                            .help(format!("Turn --{} off", flag(p.name)))
                            .overrides_with(p.name),
                    ),
                Kind::Choice(choices) => cmd.arg(
                    arg.value_parser(PossibleValuesParser::new(choices.iter().copied()))
                        .default_value(p.default)
                        .help(p.doc),
                ),
                kind => cmd.arg(
                    arg.value_name(value_name(kind))
                        .default_value(p.default)
                        .help(format!("{} [{}]", p.doc, p.range)),
                ),
            };
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for ParamArgs {
    fn from_arg_matches(m: &ArgMatches) -> std::result::Result<Self, clap::Error> {
        let values = PARAMS
            .iter()
            .map(|p| {
                let text = match p.kind {
                    Kind::Bool if m.get_flag(&negation(p.name)) => "false".to_string(),
                    Kind::Bool if m.get_flag(p.name) => "true".to_string(),
                    Kind::Bool => p.default.to_string(),
                    _ => m
                        .get_one::<String>(p.name)
                        .cloned()
                        .unwrap_or_else(|| p.default.to_string()),
                };
                (p.name, text)
            })
            .collect();
        Ok(ParamArgs(values))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> std::result::Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl ParamArgs {
    /// The classifier parameters the flags give (ranges not yet checked).
    pub fn params(&self) -> Result<ClassifierParams> {
        ClassifierParams::from_text(self.0.iter().map(|(name, text)| (*name, text.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::args::{Cli, Command};

    fn train_params(flags: &[&str]) -> notetag::ClassifierParams {
        let args = ["notetag", "train", "-i", "x.jsonl", "-o", "m.ntag"];
        let cli = Cli::try_parse_from(args.iter().chain(flags)).unwrap();
        let Command::Train(t) = cli.command else {
            panic!("not train")
        };
        t.params.params().unwrap()
    }

    #[test]
    fn no_flags_give_the_default_parameters() {
        assert_eq!(train_params(&[]), notetag::ClassifierParams::default());
    }

    #[test]
    fn every_parameter_is_a_flag_and_booleans_negate() {
        let p = train_params(&["--no-balanced", "--nb-ratio", "--no-quantize", "--classes", "a,b"]);
        let values: std::collections::HashMap<_, _> = p.values().into_iter().collect();
        assert_eq!(values["balanced"].to_string(), "false");
        assert_eq!(values["nb_ratio"].to_string(), "true");
        assert_eq!(values["quantize"].to_string(), "false");
        assert_eq!(values["classes"].to_string(), "a,b");
        let cmd = <Cli as clap::CommandFactory>::command();
        let train = cmd.find_subcommand("train").unwrap();
        for p in notetag::model::PARAMS {
            let long = super::flag(p.name);
            assert!(
                train.get_arguments().any(|a| a.get_long() == Some(long.as_str())),
                "--{long}"
            );
        }
    }

    /// The default model's build script uses the vocabulary's flags, and they
    /// give the parameters the embedded model was trained with.
    #[test]
    fn the_default_model_script_gives_the_default_models_parameters() {
        let script = include_str!("../../../scripts/build-default-model.sh");
        let line = script.replace("\\\n", " ");
        let train = line.lines().find(|l| l.contains(" train ")).expect("a train command");
        let words: Vec<&str> = train.split_whitespace().collect();
        let start = words.iter().position(|w| *w == "train").unwrap() + 1;
        let mut flags = Vec::new();
        let mut rest = words[start..].iter();
        while let Some(w) = rest.next() {
            if matches!(*w, "--input" | "--output" | "-i" | "-o") {
                rest.next();
            } else {
                flags.push(*w);
            }
        }
        let model = notetag::Classifier::default_model().unwrap();
        assert_eq!(&train_params(&flags), model.params());
    }
}
