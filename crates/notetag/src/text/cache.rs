//! Prediction's side of the featuriser: a note scored straight against a trained
//! model's weights, read through [`BucketWeights`], with each word's char n-gram
//! scores remembered between notes ([`WordCache`]).

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Featurizer, Scratch, TextScratch};

/// What prediction reads of a trained model, bucket by bucket: the IDF and
/// per-label weights of the hashed buckets seen in training. The model's bucket
/// table implements it, so that text handling never needs to know about models.
pub trait BucketWeights: std::fmt::Debug + Send + Sync {
    /// The number of buckets (used or not).
    fn n_buckets(&self) -> usize;
    /// The number of labels.
    fn n_labels(&self) -> usize;
    /// The number of used buckets (seen in training).
    fn used(&self) -> usize;
    /// The position of bucket `b`'s row among the used buckets, or `None` when
    /// training never saw the bucket.
    fn index(&self, b: u32) -> Option<u32>;
    /// Bucket `b`'s IDF (0 when training never saw it).
    fn idf(&self, b: u32) -> f32;
    /// One bias per label.
    fn bias(&self) -> &[f32];
    /// Per label, what the sums of [`BucketWeights::add_rows`] are multiplied by.
    fn weight_scales(&self) -> &[f32];
    /// Add each `(i, c)` of `rows` in order: row `i`'s stored weights times `c` ×
    /// its IDF, to `acc` (one sum per label); returns the sum of the squared `c`
    /// × IDF. Label `j`'s score is its sum times `weight_scales()[j]`.
    fn add_rows(&self, rows: impl IntoIterator<Item = (u32, f32)>, acc: &mut [f32]) -> f32
    where
        Self: Sized;
}

static NEXT_CACHE_ID: AtomicU64 = AtomicU64::new(1);

/// A new identity for the weights a featuriser reads (see [`WordCache`]).
pub(super) fn next_cache_id() -> u64 {
    NEXT_CACHE_ID.fetch_add(1, Ordering::Relaxed)
}

/// `acc[j] += v × weight(w[j])`: for 2, 3 or 4 labels without a loop, else four
/// labels at a time, then the rest.
#[inline(always)]
pub(crate) fn add_scaled<T: Copy>(acc: &mut [f32], v: f32, w: &[T], weight: impl Fn(T) -> f32) {
    match acc.len() {
        2 => add_scaled_fixed::<2, T>(acc, v, w, weight),
        3 => add_scaled_fixed::<3, T>(acc, v, w, weight),
        4 => add_scaled_fixed::<4, T>(acc, v, w, weight),
        _ => {
            let (mut a4, mut w4) = (acc.chunks_exact_mut(4), w.chunks_exact(4));
            for (a, w) in (&mut a4).zip(&mut w4) {
                for k in 0..4 {
                    a[k] += v * weight(w[k]);
                }
            }
            let rest = a4.into_remainder().iter_mut().zip(w4.remainder());
            rest.for_each(|(a, &w)| *a += v * weight(w));
        }
    }
}

/// [`add_scaled`] for `L` labels.
#[inline(always)]
fn add_scaled_fixed<const L: usize, T: Copy>(acc: &mut [f32], v: f32, w: &[T], weight: impl Fn(T) -> f32) {
    let (acc, w) = (&mut acc[..L], &w[..L]);
    for k in 0..L {
        acc[k] += v * weight(w[k]);
    }
}

/// Counts a note's word-block keys (prediction: the row positions of their
/// buckets) with a small open-addressing table, instead of sorting them.
#[derive(Debug, Default)]
pub(super) struct KeyCounts {
    /// Per slot: the key (high 32 bits) and 1 + the index of its entry in
    /// `groups` (low 32 bits), or 0 when empty; every slot is 0 between calls.
    slots: Vec<u64>,
    /// Each key seen and its count, in the order first seen.
    groups: Vec<(u32, u32)>,
}

impl KeyCounts {
    /// The distinct keys that `key` maps `keys` to (`None` drops one) with their
    /// counts, in the order first seen.
    fn count(&mut self, keys: &[u32], key: impl Fn(u32) -> Option<u32>) -> &[(u32, u32)] {
        // At most half full. Keys are hash bits, or the ranks of buckets that
        // are hash bits, so their low bits spread over the slots.
        let size = (2 * keys.len()).next_power_of_two().max(64);
        if self.slots.len() < size {
            self.slots.resize(size, 0);
        }
        let (slots, mask) = (&mut self.slots[..size], size - 1);
        self.groups.clear();
        for b in keys.iter().filter_map(|&b| key(b)) {
            let mut s = b as usize & mask;
            loop {
                let slot = slots[s];
                if slot == 0 {
                    self.groups.push((b, 1));
                    slots[s] = (u64::from(b) << 32) | self.groups.len() as u64;
                    break;
                }
                if (slot >> 32) as u32 == b {
                    self.groups[(slot as u32 - 1) as usize].1 += 1;
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        slots.fill(0);
        &self.groups
    }
}

impl Featurizer {
    /// The word-block terms of `text` that `table` holds, as the positions of
    /// their rows ([`BucketWeights::index`]), with how often each occurs, in the
    /// order first seen, with `on_word` called on every word (its hash, and the
    /// word) when char n-grams are on; the caller weighs the rows
    /// ([`Featurizer::score_word_block`]) and each word's char n-grams
    /// ([`Featurizer::char_buckets`]) itself. Terms in unused buckets weigh
    /// nothing, so they are dropped before counting.
    fn word_counts_into<'a, W: BucketWeights>(
        &self,
        text: &str,
        ts: &'a mut TextScratch,
        table: &W,
        on_word: &mut impl FnMut(u64, &str),
    ) -> &'a [(u32, u32)] {
        let TextScratch { norm, keys, counts, .. } = ts;
        self.word_keys(text, norm, &mut keys.words, on_word);
        counts.count(&keys.words, |b| table.index(b))
    }

    /// Add the word block's scores to `scores`: the values of scoring
    /// [`Featurizer::weigh_words`]' vector with `table`'s weights (summed in the
    /// order the buckets were first seen rather than bucket order, and with 8-bit
    /// weights scaled once per label rather than per weight, so the last bits may
    /// differ), in one pass: each row's IDF and weights are read together.
    /// `counts` are the note's rows and their counts
    /// ([`Featurizer::word_counts_into`]).
    fn score_word_block<W: BucketWeights>(
        &self,
        counts: &[(u32, u32)],
        table: &W,
        acc: &mut [f32],
        scores: &mut [f32],
    ) {
        acc.fill(0.0);
        let norm = table.add_rows(counts.iter().map(|&(i, n)| (i, self.tf(n as usize))), acc);
        if norm > 0.0 {
            let s = 1.0 / norm.sqrt();
            scores
                .iter_mut()
                .zip(acc.iter())
                .zip(table.weight_scales())
                .for_each(|((o, a), k)| *o += s * a * k);
        }
    }

    /// The raw scores of `text` (biases included, before calibration) against
    /// `weights`, which must be the weights this featuriser was bound to
    /// ([`Featurizer::with_table`]), into `scratch.scores` in label order. Each
    /// distinct word's char n-gram scores are computed once and remembered in
    /// the scratch.
    pub(crate) fn scores_into<W: BucketWeights>(&self, text: &str, weights: &W, scratch: &mut Scratch) {
        let Scratch {
            text: ts,
            scores,
            words,
            ..
        } = scratch;
        words.start(self.cache_id, weights.n_labels());
        let counts = self.word_counts_into(text, ts, weights, &mut |h, word| words.add(h, word, self, weights));
        scores.clear();
        scores.extend_from_slice(weights.bias());
        self.score_word_block(counts, weights, &mut words.block, scores);
        words.finish(self.config.char_weight, weights.weight_scales(), scores);
    }
}

/// Slots of the per-thread word cache.
const WORD_SLOTS: usize = 1 << 16;
/// Slots per set of the word cache: a word may sit in any slot of its set.
const WORD_WAYS: usize = 4;

/// Remembers, per distinct word, its char n-gram block's raw scores for one
/// classifier, so each word's n-grams are hashed and scored once, not per note.
/// Four-way set-associative: a word hashes to a set of four slots and, when it is
/// not there yet, takes an empty one (else one its hash picks), so a batch's
/// vocabulary of tens of thousands of words stays (a direct-mapped cache of the
/// same size lost about a fifth of the corpus test split's words to collisions).
#[derive(Debug, Default)]
pub(crate) struct WordCache {
    owner: u64,
    stride: usize,
    tags: Vec<u64>,
    /// Per slot: `n_labels` partial scores, then the word vector's squared norm.
    vals: Vec<f32>,
    acc: Vec<f32>,
    sq_norm: f32,
    bounds: Vec<usize>,
    /// The word block's unnormalised scores.
    block: Vec<f32>,
    /// The rows of a word's char n-grams found in the table (weight 1 each).
    grams: Vec<(u32, f32)>,
}

impl WordCache {
    /// Begin a note for classifier `owner` with `l` labels.
    fn start(&mut self, owner: u64, l: usize) {
        if self.owner != owner {
            self.owner = owner;
            self.stride = l + 1;
            self.tags.clear();
            self.tags.resize(WORD_SLOTS, 0);
            self.vals.clear();
            self.vals.resize(WORD_SLOTS * self.stride, 0.0);
        }
        self.acc.clear();
        self.acc.resize(l, 0.0);
        self.block.resize(l, 0.0);
        self.sq_norm = 0.0;
    }

    /// Add one word's char block scores.
    #[inline(never)]
    fn add<W: BucketWeights>(&mut self, h: u64, word: &str, f: &Featurizer, t: &W) {
        // The set comes from hash bits that `hash_bytes`' last multiply mixed
        // from every byte of a short word (bits 49..63 of the product).
        let base = ((h >> 14) as usize & (WORD_SLOTS / WORD_WAYS - 1)) * WORD_WAYS;
        let slot = match self.tags[base..base + WORD_WAYS].iter().position(|&x| x == h | 1) {
            Some(way) => base + way,
            None => self.fill(base, h, word, f, t),
        };
        let (l, stride) = (self.acc.len(), self.stride);
        let vals = &self.vals[slot * stride..(slot + 1) * stride];
        self.sq_norm += vals[l];
        add_scaled(&mut self.acc, 1.0, &vals[..l], |x| x);
    }

    /// Score a word missing from its set (starting at slot `base`) into a slot of
    /// the set, and return that slot: an empty one, else one its hash picks.
    #[inline(never)]
    fn fill<W: BucketWeights>(&mut self, base: usize, h: u64, word: &str, f: &Featurizer, t: &W) -> usize {
        let tags = &self.tags[base..base + WORD_WAYS];
        let slot = base
            + tags
                .iter()
                .position(|&x| x == 0)
                .unwrap_or((h >> 40) as usize & (WORD_WAYS - 1));
        let (l, stride) = (self.acc.len(), self.stride);
        let vals = &mut self.vals[slot * stride..(slot + 1) * stride];
        // The word's char n-grams weighted by IDF (unseen ones dropped), as
        // `Featurizer::weigh` builds the word's part of the char block.
        let grams = &mut self.grams;
        grams.clear();
        f.char_buckets(word, &mut self.bounds, &mut |b| {
            grams.extend(t.index(b).map(|i| (i, 1.0)))
        });
        vals.fill(0.0);
        let (scores, sq) = vals.split_at_mut(l);
        sq[0] = t.add_rows(grams.iter().copied(), scores);
        self.tags[slot] = h | 1;
        slot
    }

    /// Add the note's char block (see [`Featurizer`]); `scales` are the table's
    /// [`BucketWeights::weight_scales`].
    fn finish(&self, char_weight: f32, scales: &[f32], scores: &mut [f32]) {
        if self.sq_norm > 0.0 {
            let s = char_weight / self.sq_norm.sqrt();
            scores
                .iter_mut()
                .zip(&self.acc)
                .zip(scales)
                .for_each(|((o, a), k)| *o += s * a * k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::hash::fmix;

    #[test]
    fn key_counts_match_a_map_across_calls() {
        let mut counts = KeyCounts::default();
        // Long then short then long notes (the table grows, and must be empty
        // again at every call); keys sharing their low bits probe past each other.
        for (round, len) in [300usize, 5, 0, 40, 1000, 3].into_iter().enumerate() {
            let keys: Vec<u32> = (0..len)
                .map(|i| {
                    let h = fmix((round * 10_000 + i % (len / 3 + 1)) as u64) as u32;
                    if i % 4 == 0 {
                        h & 0xff
                    } else {
                        h & 0xff | (h & 0x3f00) << 8
                    }
                })
                .collect();
            let mut want = std::collections::BTreeMap::new();
            for &k in &keys {
                *want.entry(k).or_insert(0u32) += 1;
            }
            let got = counts.count(&keys, Some).to_vec();
            let firsts: Vec<u32> = got.iter().map(|&(b, _)| b).collect();
            let mut seen = std::collections::BTreeSet::new();
            let order: Vec<u32> = keys.iter().copied().filter(|k| seen.insert(*k)).collect();
            assert_eq!(firsts, order, "round {round}: buckets in first-seen order");
            assert_eq!(
                got.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
                want,
                "round {round}"
            );
            assert!(counts.slots.iter().all(|&x| x == 0), "round {round}: table left empty");
        }
    }
}
