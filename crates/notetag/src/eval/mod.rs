//! Metrics, confusion matrix, calibration error and stratified k-fold splits.

use serde::{Deserialize, Serialize};

use crate::data::Example;
use crate::error::{Error, Result};
use crate::rng::SplitMix;

/// Precision, recall and F1 of one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelStats {
    /// Label name.
    pub label: String,
    /// Precision of the primary (top-1) prediction.
    pub precision: f64,
    /// Recall of the primary prediction.
    pub recall: f64,
    /// F1 of the primary prediction.
    pub f1: f64,
    /// Rows whose gold primary is this label.
    pub support: usize,
}

/// Everything notetag measures about predictions against gold labels.
///
/// Top-1 metrics (accuracy, macro/micro F1, per-label table, confusion matrix)
/// compare the predicted primary with the gold primary on rows that have one;
/// macro-F1 averages over the labels present among the gold primaries.
/// Multi-label metrics compare predicted label sets with gold sets on every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Label names, the order of `confusion`'s rows and columns.
    pub labels: Vec<String>,
    /// Rows scored.
    pub n: usize,
    /// Rows with a gold primary (the top-1 metrics' denominator).
    pub n_with_primary: usize,
    /// Top-1 accuracy.
    pub accuracy: f64,
    /// Macro-averaged F1 of the top-1 label over labels present in the gold data.
    pub macro_f1: f64,
    /// Micro-averaged F1 of the top-1 label (equals accuracy for top-1).
    pub micro_f1: f64,
    /// Per-label precision/recall/F1 of the top-1 label.
    pub per_label: Vec<LabelStats>,
    /// `confusion[gold][predicted]`, top-1, rows with a gold primary.
    pub confusion: Vec<Vec<usize>>,
    /// Rows whose predicted label set equals the gold set exactly.
    pub subset_accuracy: f64,
    /// Fraction of (row, label) decisions that are wrong.
    pub hamming_loss: f64,
    /// Micro-F1 of predicted label sets against gold sets.
    pub set_micro_f1: f64,
    /// Expected calibration error of the per-label probabilities (10 bins).
    pub ece: f64,
    /// Abstention: how the model treats notes with no topic.
    #[serde(default)]
    pub abstention: Abstention,
}

/// How a model abstains: notes with no gold topic left untagged, and what it
/// says when it does tag.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Abstention {
    /// Rows with no gold topic.
    pub no_topic_rows: usize,
    /// Share of those left untagged (an empty predicted label set).
    pub no_topic_untagged: f64,
    /// Rows with a gold topic.
    pub topic_rows: usize,
    /// Share of those tagged, with the gold primary as the first predicted label.
    pub topic_tagged_right: f64,
    /// Share of all rows that got at least one label.
    pub coverage: f64,
    /// Micro-averaged precision of the predicted label sets.
    pub set_precision: f64,
    /// Micro-averaged recall of the predicted label sets.
    pub set_recall: f64,
    /// `confusion[gold][predicted]` over every row, the last row and column
    /// standing for "no topic": the gold primary (or none) against the first
    /// predicted label (or none).
    pub confusion: Vec<Vec<usize>>,
}

impl Abstention {
    fn compute(l: usize, gold: &[Gold], pred: &[Scored], (tp, fp, fneg): (usize, usize, usize)) -> Abstention {
        let mut confusion = vec![vec![0usize; l + 1]; l + 1];
        for (g, p) in gold.iter().zip(pred) {
            confusion[g.primary.unwrap_or(l)][p.set.first().copied().unwrap_or(l)] += 1;
        }
        let no_topic_rows: usize = confusion[l].iter().sum();
        let topic_rows = gold.len() - no_topic_rows;
        let tagged: usize = confusion.iter().map(|r| r[..l].iter().sum::<usize>()).sum();
        Abstention {
            no_topic_rows,
            no_topic_untagged: ratio(confusion[l][l], no_topic_rows),
            topic_rows,
            topic_tagged_right: ratio((0..l).map(|i| confusion[i][i]).sum(), topic_rows),
            coverage: ratio(tagged, gold.len()),
            set_precision: ratio(tp, tp + fp),
            set_recall: ratio(tp, tp + fneg),
            confusion,
        }
    }
}

/// One row's prediction, by label index.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Predicted primary.
    pub primary: usize,
    /// Predicted label set.
    pub set: Vec<usize>,
    /// Probability of each label.
    pub probs: Vec<f32>,
}

/// One row's gold labels, by label index.
#[derive(Debug, Clone, PartialEq)]
pub struct Gold {
    /// Gold primary, if the row has a topic.
    pub primary: Option<usize>,
    /// Gold label set.
    pub set: Vec<usize>,
}

impl Gold {
    /// One example's gold labels as indices into `labels`, or the first label
    /// outside them.
    fn of<'a>(e: &'a Example, labels: &[String]) -> std::result::Result<Gold, &'a str> {
        let index = |l: &'a str| labels.iter().position(|x| x == l).ok_or(l);
        let mut set = e
            .labels
            .iter()
            .map(|l| index(l))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        set.sort_unstable();
        set.dedup();
        let primary = e.primary_label().map(index).transpose()?;
        Ok(Gold { primary, set })
    }
}

/// The gold labels of every example as indices into `labels`. A label outside
/// `labels` is an error naming the row (`source_name:row`) and the known labels.
pub fn gold_sets(examples: &[Example], labels: &[String], source_name: &str) -> Result<Vec<Gold>> {
    examples
        .iter()
        .enumerate()
        .map(|(row, e)| {
            Gold::of(e, labels).map_err(|l| Error::Record {
                source_name: source_name.into(),
                line: row + 1,
                message: format!("field `labels`: unknown label `{l}` (known: {})", labels.join(", ")),
            })
        })
        .collect()
}

/// The index of the largest value (the first of equals; 0 when empty).
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold(0, |best, (i, &p)| if p > values[best] { i } else { best })
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    /// Compute every metric. `gold` and `pred` are parallel.
    pub fn compute(labels: &[String], gold: &[Gold], pred: &[Scored]) -> Report {
        let l = labels.len();
        let mut confusion = vec![vec![0usize; l]; l];
        for (g, p) in gold.iter().zip(pred) {
            if let Some(gp) = g.primary {
                confusion[gp][p.primary] += 1;
            }
        }
        let n_with_primary: usize = confusion.iter().flatten().sum();
        let correct: usize = (0..l).map(|i| confusion[i][i]).sum();
        let mut per_label = Vec::new();
        let (mut f1_sum, mut present) = (0.0, 0);
        for (i, name) in labels.iter().enumerate() {
            let support: usize = confusion[i].iter().sum();
            let predicted: usize = confusion.iter().map(|r| r[i]).sum();
            let (p, r) = (ratio(confusion[i][i], predicted), ratio(confusion[i][i], support));
            if support > 0 {
                f1_sum += f1(p, r);
                present += 1;
            }
            per_label.push(LabelStats {
                label: name.clone(),
                precision: p,
                recall: r,
                f1: f1(p, r),
                support,
            });
        }
        let (mut tp, mut fp, mut fneg, mut exact, mut wrong) = (0usize, 0usize, 0usize, 0usize, 0usize);
        let mut bins = [(0f64, 0f64, 0usize); 10];
        for (g, p) in gold.iter().zip(pred) {
            let mut row_ok = true;
            for k in 0..l {
                let (gk, pk) = (g.set.contains(&k), p.set.contains(&k));
                match (gk, pk) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fneg += 1,
                    _ => {}
                }
                if gk != pk {
                    wrong += 1;
                    row_ok = false;
                }
                let prob = f64::from(p.probs[k]);
                let bin = &mut bins[((prob * 10.0) as usize).min(9)];
                bin.0 += prob;
                bin.1 += f64::from(u8::from(gk));
                bin.2 += 1;
            }
            exact += usize::from(row_ok);
        }
        let cells: usize = bins.iter().map(|b| b.2).sum();
        let ece = bins
            .iter()
            .filter(|b| b.2 > 0)
            .map(|b| (b.0 - b.1).abs() / cells as f64)
            .sum();
        let accuracy = ratio(correct, n_with_primary);
        Report {
            labels: labels.to_vec(),
            n: gold.len(),
            n_with_primary,
            accuracy,
            macro_f1: if present > 0 { f1_sum / present as f64 } else { 0.0 },
            micro_f1: accuracy,
            per_label,
            confusion,
            subset_accuracy: ratio(exact, gold.len()),
            hamming_loss: ratio(wrong, gold.len() * l),
            set_micro_f1: f1(ratio(tp, tp + fp), ratio(tp, tp + fneg)),
            ece,
            abstention: Abstention::compute(l, gold, pred, (tp, fp, fneg)),
        }
    }

    /// The report as an aligned plain-text table.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let w = self.labels.iter().map(String::len).max().unwrap_or(5).max(9);
        let _ = writeln!(s, "rows {} (with a primary topic: {})", self.n, self.n_with_primary);
        let _ = writeln!(
            s,
            "accuracy {:.4}  macro-F1 {:.4}  micro-F1 {:.4}",
            self.accuracy, self.macro_f1, self.micro_f1
        );
        let _ = writeln!(
            s,
            "label sets: subset accuracy {:.4}  Hamming loss {:.4}  micro-F1 {:.4}  ECE {:.4}",
            self.subset_accuracy, self.hamming_loss, self.set_micro_f1, self.ece
        );
        let a = &self.abstention;
        let _ = writeln!(
            s,
            "abstention: no-topic rows left untagged {:.4} (of {})  topic rows tagged with their primary {:.4} (of {})",
            a.no_topic_untagged, a.no_topic_rows, a.topic_tagged_right, a.topic_rows
        );
        let _ = writeln!(
            s,
            "label sets: precision {:.4}  recall {:.4}  coverage (rows tagged) {:.4}",
            a.set_precision, a.set_recall, a.coverage
        );
        let _ = writeln!(s, "\n{:<w$}  precision  recall     f1  support", "label");
        for p in &self.per_label {
            let _ = writeln!(
                s,
                "{:<w$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
                p.label, p.precision, p.recall, p.f1, p.support
            );
        }
        let _ = write!(s, "\nconfusion (rows gold, columns predicted)\n{:<w$}", "");
        for l in &self.labels {
            let _ = write!(s, " {:>w2$}", l, w2 = l.len().max(5));
        }
        for (l, row) in self.labels.iter().zip(&self.confusion) {
            let _ = write!(s, "\n{l:<w$}");
            for (c, v) in self.labels.iter().zip(row) {
                let _ = write!(s, " {:>w2$}", v, w2 = c.len().max(5));
            }
        }
        if a.no_topic_rows > 0 {
            let names: Vec<&str> = self.labels.iter().map(String::as_str).chain(["(none)"]).collect();
            let _ = write!(
                s,
                "\n\nwith abstention (rows gold primary, columns first predicted label)\n{:<w$}",
                ""
            );
            for l in &names {
                let _ = write!(s, " {:>w2$}", l, w2 = l.len().max(5));
            }
            for (l, row) in names.iter().zip(&a.confusion) {
                let _ = write!(s, "\n{l:<w$}");
                for (c, v) in names.iter().zip(row) {
                    let _ = write!(s, " {:>w2$}", v, w2 = c.len().max(5));
                }
            }
        }
        s.push('\n');
        s
    }
}

/// Assign each row to one of `k` folds, keeping each stratum's rows spread evenly
/// (stratified k-fold). Deterministic for `seed`.
pub fn stratified_folds(strata: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0; strata.len()];
    let n_strata = strata.iter().copied().max().map_or(0, |m| m + 1);
    let mut rng = SplitMix(seed);
    let mut offset = 0;
    for s in 0..n_strata {
        let mut rows: Vec<usize> = (0..strata.len()).filter(|&i| strata[i] == s).collect();
        rng.shuffle(&mut rows);
        for (j, &r) in rows.iter().enumerate() {
            fold[r] = (offset + j) % k.max(1);
        }
        offset += rows.len();
    }
    fold
}

/// Stratified k-fold assignment of labelled examples: strata are the primary
/// labels' indices in `labels` (rows without a primary label form one more
/// stratum). Deterministic for `seed`; split with [`fold_split`].
pub fn example_folds(examples: &[Example], labels: &[String], k: usize, seed: u64) -> Vec<usize> {
    let strata: Vec<usize> = examples
        .iter()
        .map(|e| {
            e.primary_label()
                .and_then(|p| labels.iter().position(|l| l == p))
                .unwrap_or(labels.len())
        })
        .collect();
    stratified_folds(&strata, k, seed)
}

/// Fold `f` of an assignment from [`example_folds`]: `(train, test)`, the test part
/// being the rows assigned to `f`, both in input order.
pub fn fold_split(examples: &[Example], folds: &[usize], f: usize) -> (Vec<Example>, Vec<Example>) {
    let (test, train): (Vec<_>, Vec<_>) = examples.iter().zip(folds).partition(|(_, &g)| g == f);
    let owned = |rows: Vec<(&Example, &usize)>| rows.into_iter().map(|(e, _)| e.clone()).collect();
    (owned(train), owned(test))
}

/// Stratified k-fold cross-validation: `f(train, test)` for each fold of
/// [`example_folds`] (both parts in input order), results in fold order. Needs
/// 2 <= `k` <= rows.
pub fn kfold<T>(
    examples: &[Example],
    labels: &[String],
    k: usize,
    seed: u64,
    mut f: impl FnMut(&[Example], &[Example]) -> Result<T>,
) -> Result<Vec<T>> {
    if k < 2 || k > examples.len() {
        return Err(Error::param(
            "folds",
            format!("{k}: need 2 <= folds <= rows ({})", examples.len()),
        ));
    }
    let folds = example_folds(examples, labels, k, seed);
    (0..k)
        .map(|fold| {
            let (train, test) = fold_split(examples, &folds, fold);
            f(&train, &test)
        })
        .collect()
}

/// Mean and (sample) standard deviation.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let m = xs.iter().sum::<f64>() / n;
    let v = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, v.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(primary: usize, set: &[usize], probs: &[f32]) -> Scored {
        Scored {
            primary,
            set: set.to_vec(),
            probs: probs.to_vec(),
        }
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        // Golden values, as scikit-learn computes them:
        // y_true = [0, 0, 1, 1, 2], y_pred = [0, 1, 1, 1, 2]
        // f1_score(average="macro") = (0.6667 + 0.8 + 1.0) / 3 = 0.8222
        let labels: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let gold: Vec<Gold> = [0, 0, 1, 1, 2]
            .iter()
            .map(|&g| Gold {
                primary: Some(g),
                set: vec![g],
            })
            .collect();
        let pred = vec![
            s(0, &[0], &[0.9, 0.1, 0.0]),
            s(1, &[1], &[0.2, 0.8, 0.0]),
            s(1, &[1], &[0.1, 0.9, 0.0]),
            s(1, &[1, 2], &[0.1, 0.7, 0.6]),
            s(2, &[2], &[0.0, 0.0, 1.0]),
        ];
        let r = Report::compute(&labels, &gold, &pred);
        assert!((r.accuracy - 0.8).abs() < 1e-12);
        assert!((r.macro_f1 - (2.0 / 3.0 + 0.8 + 1.0) / 3.0).abs() < 1e-9);
        assert_eq!(r.confusion, vec![vec![1, 1, 0], vec![0, 2, 0], vec![0, 0, 1]]);
        assert!((r.subset_accuracy - 0.6).abs() < 1e-12);
        assert!((r.hamming_loss - 3.0 / 15.0).abs() < 1e-12);
        // tp = 4, fp = 2, fn = 1 -> P = 2/3, R = 4/5
        assert!((r.set_micro_f1 - f1(4.0 / 6.0, 0.8)).abs() < 1e-12);
        assert!(r.ece > 0.0 && r.ece < 0.5);
        assert!(r.to_table().contains("macro-F1 0.8222"));
    }

    #[test]
    fn macro_f1_ignores_labels_absent_from_gold() {
        let labels: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let gold = vec![
            Gold {
                primary: Some(0),
                set: vec![0],
            },
            Gold {
                primary: None,
                set: vec![],
            },
        ];
        let pred = vec![s(0, &[0], &[1.0, 0.0]), s(1, &[], &[0.0, 0.4])];
        let r = Report::compute(&labels, &gold, &pred);
        assert_eq!(r.n_with_primary, 1);
        assert_eq!(r.macro_f1, 1.0);
    }

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let strata: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let f = stratified_folds(&strata, 5, 3);
        assert_eq!(f, stratified_folds(&strata, 5, 3));
        for k in 0..5 {
            let in_fold: Vec<usize> = (0..100).filter(|&i| f[i] == k).collect();
            assert_eq!(in_fold.len(), 20);
            assert_eq!(in_fold.iter().filter(|&&i| strata[i] == 1).count(), 5);
        }
    }

    #[test]
    fn example_folds_split_every_row_into_exactly_one_test_part() {
        let labels: Vec<String> = vec!["a".into(), "b".into()];
        let mut examples: Vec<Example> = (0..30)
            .map(|i| Example::new(format!("note {i}"), if i % 3 == 0 { "b" } else { "a" }))
            .collect();
        examples.push(Example::multi("no topic", Vec::<String>::new()));
        let folds = example_folds(&examples, &labels, 3, 7);
        let mut tested = Vec::new();
        for f in 0..3 {
            let (train, test) = fold_split(&examples, &folds, f);
            assert_eq!(train.len() + test.len(), examples.len());
            // Stratified by primary label: the 10 b rows spread 3 or 4 to a fold.
            let b = test.iter().filter(|e| e.primary_label() == Some("b")).count();
            assert!((3..=4).contains(&b), "fold {f}: {b} b rows");
            assert!(train.iter().all(|e| !test.iter().any(|t| t.text == e.text)));
            tested.extend(test.into_iter().map(|e| e.text));
        }
        tested.sort();
        let mut all: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
        all.sort();
        assert_eq!(tested, all);
    }

    #[test]
    fn mean_sd_basic() {
        let (m, sd) = mean_sd(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((sd - 1.0).abs() < 1e-12);
    }
}
