//! The trained model's per-bucket numbers, stored for prediction.
//!
//! Of the 2^`bucket_bits` hashed buckets, training sees a fraction (about one in
//! seven for the default model). A dense table holds every bucket anyway — the
//! default model's IDF and weights as dense `f32` tables fill 20 MB, most of it zero,
//! and a batch of notes jumps all over it. [`BucketTable`] keeps the used buckets
//! only: a bitmap (one bit per bucket, with the rank of each 64-bit block beside
//! it) says whether a bucket was seen and where its row is, and the rows hold IDF
//! and the per-label weights side by side, so a feature costs one bitmap probe
//! (256 KB for 2^20 buckets, which stays in cache) and, when the bucket was seen,
//! one row read.
//!
//! Quantised models (the default) keep their rows as the model file stores them:
//! a 16-bit IDF and one 8-bit weight per label, `2 + labels` bytes a row instead
//! of `4 × (1 + labels)` (the default model's rows: 0.9 MB instead of 3.2 MB), so
//! more of them stay in cache and loading copies bytes instead of converting
//! every number. Label `j`'s weight is the 8-bit number times the label's scale
//! ([`BucketTable::weight_scales`]); the prediction paths add up unscaled
//! weights and scale each label's sum once.

use super::learner::LinearWeights;
use crate::text::{add_scaled, BucketWeights};

/// IDF as the model file stores it: a 16-bit number on a 1/2048 grid.
pub(crate) fn quant_idf(v: f32) -> u16 {
    (v * 2048.0).round().clamp(0.0, 65535.0) as u16
}

/// A stored 16-bit IDF as a number.
pub(crate) fn dequant_idf(q: u16) -> f32 {
    f32::from(q) / 2048.0
}

/// One 64-bucket block of the bitmap: which buckets are used, and how many used
/// buckets come before the block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Block {
    bits: u64,
    rank: u32,
}

/// The rows of the used buckets, in increasing bucket order.
#[derive(Debug, Clone, PartialEq)]
enum Rows {
    /// Per row: IDF, then one weight per label.
    F32(Vec<f32>),
    /// Per row: IDF as a little-endian 16-bit number on a 1/2048 grid, then one
    /// 8-bit (two's complement) weight per label.
    Q8(Vec<u8>),
}

/// A model file's IDF and weight columns (see [`BucketTable::from_columns`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stored<'a> {
    /// Little-endian 16-bit IDF (2 bytes a bucket) and 8-bit weights.
    Q8 { idf: &'a [u8], weights: &'a [u8] },
    /// Full-precision IDF and weights.
    F32 { idf: &'a [f32], weights: &'a [f32] },
}

/// IDF and weights of the used buckets, with the biases (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct BucketTable {
    n_labels: usize,
    blocks: Vec<Block>,
    rows: Rows,
    /// Per label, what a stored weight is multiplied by (all 1 for `f32` rows).
    scales: Vec<f32>,
    bias: Vec<f32>,
    /// The last bucket added.
    last: Option<u32>,
}

/// One used bucket's IDF and weights (see [`BucketTable::row`]).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    idf: f32,
    weights: RowWeights<'a>,
}

#[derive(Debug, Clone, Copy)]
enum RowWeights<'a> {
    F32(&'a [f32]),
    Q8(&'a [u8], &'a [f32]),
}

impl<'a> Row<'a> {
    /// The bucket's IDF.
    pub fn idf(&self) -> f32 {
        self.idf
    }

    /// Label `j`'s weight.
    pub fn weight(&self, j: usize) -> f32 {
        match self.weights {
            RowWeights::F32(w) => w[j],
            RowWeights::Q8(q, s) => q8(q[j]) * s[j],
        }
    }

    /// One weight per label, in label order.
    pub fn weights(self) -> impl Iterator<Item = f32> + 'a {
        let n = match self.weights {
            RowWeights::F32(w) => w.len(),
            RowWeights::Q8(q, _) => q.len(),
        };
        (0..n).map(move |j| self.weight(j))
    }
}

/// A stored 8-bit weight as a number.
#[inline]
fn q8(b: u8) -> f32 {
    f32::from(b as i8)
}

/// Row `i` of a table of 8-bit rows for `l` labels: its IDF and its `l` stored
/// weights.
#[inline(always)]
fn q8_row(table: &[u8], i: u32, l: usize) -> (f32, &[u8]) {
    let r = &table[i as usize * (l + 2)..][..l + 2];
    (dequant_idf(u16::from_le_bytes([r[0], r[1]])), &r[2..])
}

/// Row `i` of a table of `f32` rows for `l` labels: its IDF and its `l` weights.
#[inline(always)]
fn f32_row(table: &[f32], i: u32, l: usize) -> (f32, &[f32]) {
    let r = &table[i as usize * (l + 1)..][..l + 1];
    (r[0], &r[1..])
}

/// [`BucketTable::add_rows`] for 8-bit rows of `L` labels: the sums stay in
/// registers, and each row's length is known (the same sums, in the same order).
#[inline(always)]
fn add_q8_rows<const L: usize>(table: &[u8], rows: impl IntoIterator<Item = (u32, f32)>, acc: &mut [f32]) -> f32 {
    let mut sums = [0f32; L];
    sums.copy_from_slice(&acc[..L]);
    let mut sq = 0f32;
    for (i, c) in rows {
        let (idf, w) = q8_row(table, i, L);
        let v = c * idf;
        for k in 0..L {
            sums[k] += v * q8(w[k]);
        }
        sq += v * v;
    }
    acc[..L].copy_from_slice(&sums);
    sq
}

impl BucketTable {
    /// Start a table of `f32` rows over `n_buckets` buckets (a multiple of 64) for
    /// `n_labels` labels; add rows with [`BucketTable::push`] in increasing bucket
    /// order.
    pub(crate) fn with_capacity(n_buckets: usize, n_labels: usize, used: usize) -> Self {
        BucketTable {
            n_labels,
            blocks: vec![Block::default(); n_buckets.div_ceil(64)],
            rows: Rows::F32(Vec::with_capacity(used * (n_labels + 1))),
            scales: vec![1.0; n_labels],
            bias: vec![0.0; n_labels],
            last: None,
        }
    }

    /// A table read from a model file's columns: the gaps between used buckets
    /// (the first from 0), then per used bucket its IDF and `scales.len()`
    /// weights, 8-bit ([`Stored::Q8`]) or full precision ([`Stored::F32`]).
    /// Checks that the buckets increase strictly and stay inside `n_buckets`, and
    /// that the columns have one entry per bucket.
    pub(crate) fn from_columns(
        n_buckets: usize,
        deltas: &[u32],
        stored: Stored<'_>,
        scales: Vec<f32>,
        bias: Vec<f32>,
    ) -> Result<Self, String> {
        let (used, l) = (deltas.len(), scales.len());
        let (n_idf, n_w) = match stored {
            Stored::Q8 { idf, weights } => (
                if idf.len() % 2 == 0 { idf.len() / 2 } else { usize::MAX },
                weights.len(),
            ),
            Stored::F32 { idf, weights } => (idf.len(), weights.len()),
        };
        if n_idf != used || n_w != used.saturating_mul(l) || bias.len() != l {
            return Err("bucket, IDF and weight tables differ in length".into());
        }
        let mut blocks = vec![Block::default(); n_buckets.div_ceil(64)];
        let mut b: u64 = 0;
        for (k, &d) in deltas.iter().enumerate() {
            if k > 0 && d == 0 {
                return Err("bucket list is not strictly increasing".into());
            }
            b += u64::from(d);
            let Some(blk) = blocks.get_mut((b >> 6) as usize) else {
                return Err(format!("bucket {b} out of range (model has {n_buckets})"));
            };
            if blk.bits == 0 {
                blk.rank = k as u32;
            }
            blk.bits |= 1 << (b & 63);
        }
        let rows = match stored {
            // Extended rather than zeroed and written: a zeroed allocation this
            // size comes from fresh pages on every load.
            Stored::Q8 { idf, weights } => {
                let mut rows = Vec::with_capacity(used * (l + 2));
                for k in 0..used {
                    rows.extend_from_slice(&idf[2 * k..2 * k + 2]);
                    rows.extend_from_slice(&weights[k * l..(k + 1) * l]);
                }
                Rows::Q8(rows)
            }
            Stored::F32 { idf, weights } => {
                let mut rows = Vec::with_capacity(used * (l + 1));
                for k in 0..used {
                    rows.push(idf[k]);
                    rows.extend_from_slice(&weights[k * l..(k + 1) * l]);
                }
                Rows::F32(rows)
            }
        };
        let scales = if matches!(rows, Rows::Q8(_)) {
            scales
        } else {
            vec![1.0; l]
        };
        let last = (used > 0).then_some(b as u32);
        Ok(BucketTable {
            n_labels: l,
            blocks,
            rows,
            scales,
            bias,
            last,
        })
    }

    /// The used buckets of dense tables: those with a non-zero IDF.
    pub(crate) fn from_dense(idf: &[f32], w: &LinearWeights) -> Self {
        let l = w.n_labels;
        let used = idf.iter().filter(|&&v| v != 0.0).count();
        let mut t = BucketTable::with_capacity(idf.len(), l, used);
        for (b, &v) in idf.iter().enumerate() {
            if v != 0.0 {
                t.push(b as u32, v, &w.w[b * l..(b + 1) * l])
                    .expect("buckets in increasing order");
            }
        }
        t.bias.copy_from_slice(&w.bias);
        t
    }

    /// Add bucket `b`'s row to an `f32` table. Buckets must come in strictly
    /// increasing order and lie inside the table; `weights` holds one weight per
    /// label.
    pub(crate) fn push(&mut self, b: u32, idf: f32, weights: &[f32]) -> Result<(), String> {
        debug_assert_eq!(weights.len(), self.n_labels);
        let n_buckets = self.blocks.len() * 64;
        let used = self.used() as u32;
        let Rows::F32(rows) = &mut self.rows else {
            return Err("an f32 row pushed onto an 8-bit table".into());
        };
        if b as usize >= n_buckets {
            return Err(format!("bucket {b} out of range (model has {n_buckets})"));
        }
        if self.last.is_some_and(|last| b <= last) {
            return Err("bucket list is not strictly increasing".into());
        }
        let blk = &mut self.blocks[(b >> 6) as usize];
        if blk.bits == 0 {
            blk.rank = used;
        }
        blk.bits |= 1 << (b & 63);
        self.last = Some(b);
        rows.push(idf);
        rows.extend_from_slice(weights);
        Ok(())
    }

    /// Bucket `b`'s row, or `None` when training never saw the bucket.
    #[inline]
    pub fn row(&self, b: u32) -> Option<Row<'_>> {
        self.index(b).map(|i| self.row_at(i))
    }

    /// The position of bucket `b`'s row among the used buckets, or `None` when
    /// training never saw the bucket.
    #[inline]
    pub fn index(&self, b: u32) -> Option<u32> {
        let blk = self.blocks.get((b >> 6) as usize)?;
        let bit = 1u64 << (b & 63);
        (blk.bits & bit != 0).then(|| blk.rank + (blk.bits & (bit - 1)).count_ones())
    }

    /// The row at position `i` (from [`BucketTable::index`]).
    #[inline]
    pub fn row_at(&self, i: u32) -> Row<'_> {
        let l = self.n_labels;
        match &self.rows {
            Rows::F32(rows) => {
                let (idf, w) = f32_row(rows, i, l);
                Row {
                    idf,
                    weights: RowWeights::F32(w),
                }
            }
            Rows::Q8(rows) => {
                let (idf, w) = q8_row(rows, i, l);
                Row {
                    idf,
                    weights: RowWeights::Q8(w, &self.scales),
                }
            }
        }
    }

    /// Add each `(i, c)` of `rows` in order: row `i`'s stored weights times `c` ×
    /// its IDF, to `acc` (one sum per label); returns the sum of the squared `c` ×
    /// IDF. The sums are unscaled: label `j`'s score is its sum times
    /// [`BucketTable::weight_scales`]`[j]`.
    #[inline]
    pub(crate) fn add_rows(&self, rows: impl IntoIterator<Item = (u32, f32)>, acc: &mut [f32]) -> f32 {
        let l = self.n_labels;
        let mut sq = 0f32;
        match &self.rows {
            Rows::F32(table) => {
                for (i, c) in rows {
                    let (idf, w) = f32_row(table, i, l);
                    let v = c * idf;
                    add_scaled(acc, v, w, |w| w);
                    sq += v * v;
                }
            }
            Rows::Q8(table) => match l {
                2 => return add_q8_rows::<2>(table, rows, acc),
                3 => return add_q8_rows::<3>(table, rows, acc),
                4 => return add_q8_rows::<4>(table, rows, acc),
                _ => {
                    for (i, c) in rows {
                        let (idf, w) = q8_row(table, i, l);
                        let v = c * idf;
                        add_scaled(acc, v, w, q8);
                        sq += v * v;
                    }
                }
            },
        }
        sq
    }

    /// Per label, what a stored weight is multiplied by: the 8-bit weights'
    /// scales, or all 1 for `f32` rows ([`Row::weight`] returns the product).
    #[inline]
    pub fn weight_scales(&self) -> &[f32] {
        &self.scales
    }

    /// Whether the rows are stored as 8-bit weights (see the module docs).
    pub fn is_quantized(&self) -> bool {
        matches!(self.rows, Rows::Q8(_))
    }

    /// Bucket `b`'s IDF (0 when training never saw it).
    #[inline]
    pub fn idf(&self, b: u32) -> f32 {
        self.row(b).map_or(0.0, |r| r.idf)
    }

    /// The number of buckets (used or not).
    pub fn n_buckets(&self) -> usize {
        self.blocks.len() * 64
    }

    /// The number of labels.
    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// The number of used buckets.
    pub fn used(&self) -> usize {
        match &self.rows {
            Rows::F32(rows) => rows.len() / (self.n_labels + 1),
            Rows::Q8(rows) => rows.len() / (self.n_labels + 2),
        }
    }

    /// One bias per label.
    pub fn bias(&self) -> &[f32] {
        &self.bias
    }

    /// The used buckets, in increasing order.
    pub fn buckets(&self) -> impl Iterator<Item = u32> + '_ {
        self.blocks.iter().enumerate().flat_map(|(k, blk)| {
            let mut bits = blk.bits;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let t = bits.trailing_zeros();
                    bits &= bits - 1;
                    (k as u32) << 6 | t
                })
            })
        })
    }

    /// Every used bucket with its row, in increasing bucket order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Row<'_>)> + '_ {
        self.buckets().zip(0..).map(|(b, i)| (b, self.row_at(i)))
    }

    /// The 8-bit rows as the model file stores them — per used bucket, its
    /// 16-bit IDF and its 8-bit weights — or `None` for `f32` rows.
    pub(crate) fn q8_rows(&self) -> Option<impl Iterator<Item = ([u8; 2], &[u8])> + '_> {
        match &self.rows {
            Rows::Q8(rows) => Some(rows.chunks_exact(self.n_labels + 2).map(|r| ([r[0], r[1]], &r[2..]))),
            Rows::F32(_) => None,
        }
    }

    /// Scores of a sparse row (biases included), written into `out`.
    pub fn scores_into(&self, idx: &[u32], val: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for (&b, &v) in idx.iter().zip(val) {
            if let Some(r) = self.row(b) {
                out.iter_mut().zip(r.weights()).for_each(|(o, w)| *o += v * w);
            }
        }
    }

    /// The weights as a dense bucket-major table (buckets never seen are zero).
    pub fn to_dense(&self) -> LinearWeights {
        let l = self.n_labels;
        let mut w = LinearWeights::zeros(self.n_buckets(), l);
        for (b, r) in self.iter() {
            w.w[b as usize * l..(b as usize + 1) * l]
                .iter_mut()
                .zip(r.weights())
                .for_each(|(o, v)| *o = v);
        }
        w.bias.copy_from_slice(&self.bias);
        w
    }

    /// Bytes of memory the table holds.
    pub fn memory_bytes(&self) -> usize {
        let rows = match &self.rows {
            Rows::F32(rows) => rows.len() * 4,
            Rows::Q8(rows) => rows.len(),
        };
        self.blocks.len() * std::mem::size_of::<Block>() + rows + (self.scales.len() + self.bias.len()) * 4
    }
}

impl BucketWeights for BucketTable {
    #[inline]
    fn n_buckets(&self) -> usize {
        BucketTable::n_buckets(self)
    }

    #[inline]
    fn n_labels(&self) -> usize {
        BucketTable::n_labels(self)
    }

    #[inline]
    fn used(&self) -> usize {
        BucketTable::used(self)
    }

    #[inline]
    fn index(&self, b: u32) -> Option<u32> {
        BucketTable::index(self, b)
    }

    #[inline]
    fn idf(&self, b: u32) -> f32 {
        BucketTable::idf(self, b)
    }

    #[inline]
    fn bias(&self) -> &[f32] {
        BucketTable::bias(self)
    }

    #[inline]
    fn weight_scales(&self) -> &[f32] {
        BucketTable::weight_scales(self)
    }

    #[inline]
    fn add_rows(&self, rows: impl IntoIterator<Item = (u32, f32)>, acc: &mut [f32]) -> f32 {
        BucketTable::add_rows(self, rows, acc)
    }
}

#[cfg(test)]
mod tests;
