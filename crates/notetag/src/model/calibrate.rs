//! Probability calibration (Platt scaling) and per-label decision thresholds.

use serde::{Deserialize, Serialize};

/// Platt scaling: `p = 1 / (1 + exp(a * score + b))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Slope (negative when higher scores mean the label).
    pub a: f32,
    /// Offset.
    pub b: f32,
}

impl Default for Platt {
    fn default() -> Self {
        Platt { a: -1.0, b: 0.0 }
    }
}

impl Platt {
    /// Probability of a raw score.
    #[inline]
    pub fn prob(&self, score: f32) -> f32 {
        let z = self.a * score + self.b;
        // Stable for large |z|.
        if z >= 0.0 {
            let e = (-z).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + z.exp())
        }
    }

    /// Fit on held-out scores and binary outcomes, by Newton's method with
    /// backtracking on Platt's regularised targets (Lin, Lin & Weng, 2007).
    pub fn fit(scores: &[f32], pos: &[bool]) -> Platt {
        let np = pos.iter().filter(|&&p| p).count() as f64;
        let nn = pos.len() as f64 - np;
        if np == 0.0 || nn == 0.0 {
            // Nothing to calibrate against: a constant probability.
            let p = (np + 1.0) / (np + nn + 2.0);
            return Platt {
                a: 0.0,
                b: ((1.0 - p) / p).ln() as f32,
            };
        }
        let (hi, lo) = ((np + 1.0) / (np + 2.0), 1.0 / (nn + 2.0));
        let t: Vec<f64> = pos.iter().map(|&p| if p { hi } else { lo }).collect();
        let f: Vec<f64> = scores.iter().map(|&s| f64::from(s)).collect();
        let (mut a, mut b) = (0.0f64, ((nn + 1.0) / (np + 1.0)).ln());
        let loss = |a: f64, b: f64| -> f64 {
            f.iter()
                .zip(&t)
                .map(|(&fi, &ti)| {
                    let z = a * fi + b;
                    if z >= 0.0 {
                        ti * z + (1.0 + (-z).exp()).ln()
                    } else {
                        (ti - 1.0) * z + (1.0 + z.exp()).ln()
                    }
                })
                .sum()
        };
        let mut fval = loss(a, b);
        for _ in 0..100 {
            let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
            for (&fi, &ti) in f.iter().zip(&t) {
                let z = a * fi + b;
                let (p, q) = if z >= 0.0 {
                    let e = (-z).exp();
                    (e / (1.0 + e), 1.0 / (1.0 + e))
                } else {
                    let e = z.exp();
                    (1.0 / (1.0 + e), e / (1.0 + e))
                };
                let d2 = p * q;
                h11 += fi * fi * d2;
                h22 += d2;
                h21 += fi * d2;
                let d1 = ti - p;
                g1 += fi * d1;
                g2 += d1;
            }
            if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            let da = -(h22 * g1 - h21 * g2) / det;
            let db = -(-h21 * g1 + h11 * g2) / det;
            let gd = g1 * da + g2 * db;
            let mut step = 1.0;
            let mut moved = false;
            while step >= 1e-10 {
                let (na, nb) = (a + step * da, b + step * db);
                let nf = loss(na, nb);
                if nf < fval + 1e-4 * step * gd {
                    (a, b, fval) = (na, nb, nf);
                    moved = true;
                    break;
                }
                step /= 2.0;
            }
            if !moved {
                break;
            }
        }
        Platt {
            a: a as f32,
            b: b as f32,
        }
    }
}

/// The threshold on probabilities that maximises F1 for one label on held-out
/// predictions; clamped to `[0.05, 0.95]`; 0.5 when the label never occurs.
pub fn best_f1_threshold(probs: &[f32], pos: &[bool]) -> f32 {
    let total_pos = pos.iter().filter(|&&p| p).count();
    if total_pos == 0 {
        return 0.5;
    }
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&i, &j| probs[j].total_cmp(&probs[i]));
    let (mut tp, mut fp) = (0usize, 0usize);
    let (mut best, mut best_t) = (-1.0f32, 0.5f32);
    for (k, &i) in order.iter().enumerate() {
        if pos[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        // Only cut between distinct probabilities.
        if k + 1 < order.len() && probs[order[k + 1]] == probs[i] {
            continue;
        }
        let f1 = 2.0 * tp as f32 / (2 * tp + fp + (total_pos - tp)) as f32;
        if f1 > best {
            best = f1;
            let next = order.get(k + 1).map_or(0.0, |&n| probs[n]);
            best_t = (probs[i] + next) / 2.0;
        }
    }
    best_t.clamp(0.05, 0.95)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_learns_a_monotone_map() {
        let scores: Vec<f32> = (0..200).map(|i| (i as f32 - 100.0) / 50.0).collect();
        // Noisy: positives mostly at high scores.
        let pos: Vec<bool> = (0..200).map(|i| (i > 100) ^ (i % 10 == 0)).collect();
        let p = Platt::fit(&scores, &pos);
        assert!(p.a < 0.0);
        assert!(p.prob(2.0) > 0.8 && p.prob(-2.0) < 0.2, "{p:?}");
        assert!(p.prob(1.0) > p.prob(0.5));
    }

    #[test]
    fn platt_matches_reference_on_separable_halves() {
        // Symmetric data: the fitted map is symmetric, so p(0) = 0.5.
        let scores = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, -1.5, 1.5];
        let pos = [false, false, true, false, true, true, false, true];
        let p = Platt::fit(&scores, &pos);
        assert!((p.prob(0.0) - 0.5).abs() < 1e-3, "{p:?}");
    }

    #[test]
    fn constant_when_one_class() {
        let p = Platt::fit(&[1.0, 2.0], &[false, false]);
        assert!((p.prob(10.0) - 0.25).abs() < 1e-6);
    }

    #[test]
    fn threshold_separates_clean_data() {
        let probs = [0.9, 0.8, 0.7, 0.3, 0.2];
        let pos = [true, true, true, false, false];
        let t = best_f1_threshold(&probs, &pos);
        assert!(t > 0.3 && t <= 0.7, "{t}");
        assert_eq!(best_f1_threshold(&probs, &[false; 5]), 0.5);
    }
}
