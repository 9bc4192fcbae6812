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

use super::LinearWeights;

/// One 64-bucket block of the bitmap: which buckets are used, and how many used
/// buckets come before the block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Block {
    bits: u64,
    rank: u32,
}

/// IDF and weights of the used buckets, with the biases (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct BucketTable {
    n_labels: usize,
    blocks: Vec<Block>,
    /// Per used bucket in increasing order: IDF, then one weight per label.
    rows: Vec<f32>,
    bias: Vec<f32>,
    /// The last bucket added.
    last: Option<u32>,
}

impl BucketTable {
    /// Start a table over `n_buckets` buckets (a multiple of 64) for `n_labels`
    /// labels; add rows with [`BucketTable::push`] in increasing bucket order.
    pub(crate) fn with_capacity(n_buckets: usize, n_labels: usize, used: usize) -> Self {
        BucketTable {
            n_labels,
            blocks: vec![Block::default(); n_buckets.div_ceil(64)],
            rows: Vec::with_capacity(used * (n_labels + 1)),
            bias: vec![0.0; n_labels],
            last: None,
        }
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

    /// Add bucket `b`'s row. Buckets must come in strictly increasing order and
    /// lie inside the table; `weights` holds one weight per label.
    pub(crate) fn push(&mut self, b: u32, idf: f32, weights: &[f32]) -> Result<(), String> {
        let n_buckets = self.blocks.len() * 64;
        if b as usize >= n_buckets {
            return Err(format!("bucket {b} out of range (model has {n_buckets})"));
        }
        if self.last.is_some_and(|last| b <= last) {
            return Err("bucket list is not strictly increasing".into());
        }
        debug_assert_eq!(weights.len(), self.n_labels);
        let used = self.used() as u32;
        let blk = &mut self.blocks[(b >> 6) as usize];
        if blk.bits == 0 {
            blk.rank = used;
        }
        blk.bits |= 1 << (b & 63);
        self.last = Some(b);
        self.rows.push(idf);
        self.rows.extend_from_slice(weights);
        Ok(())
    }

    /// Set the biases (one per label).
    pub(crate) fn set_bias(&mut self, bias: Vec<f32>) {
        debug_assert_eq!(bias.len(), self.n_labels);
        self.bias = bias;
    }

    /// Bucket `b`'s row — its IDF, then one weight per label — or `None` when
    /// training never saw the bucket.
    #[inline]
    pub fn row(&self, b: u32) -> Option<&[f32]> {
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

    /// The row at position `i` (from [`BucketTable::index`]): IDF, then one weight
    /// per label.
    #[inline]
    pub fn row_at(&self, i: u32) -> &[f32] {
        let s = self.n_labels + 1;
        &self.rows[i as usize * s..i as usize * s + s]
    }

    /// Bucket `b`'s IDF (0 when training never saw it).
    #[inline]
    pub fn idf(&self, b: u32) -> f32 {
        self.row(b).map_or(0.0, |r| r[0])
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
        self.rows.len() / (self.n_labels + 1)
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

    /// Every used bucket with its IDF and weights, in increasing bucket order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32, &[f32])> + '_ {
        self.buckets()
            .zip(self.rows.chunks_exact(self.n_labels + 1))
            .map(|(b, r)| (b, r[0], &r[1..]))
    }

    /// Scores of a sparse row (biases included), written into `out`.
    pub fn scores_into(&self, idx: &[u32], val: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for (&b, &v) in idx.iter().zip(val) {
            if let Some(r) = self.row(b) {
                out.iter_mut().zip(&r[1..]).for_each(|(o, w)| *o += v * w);
            }
        }
    }

    /// The weights as a dense bucket-major table (buckets never seen are zero).
    pub fn to_dense(&self) -> LinearWeights {
        let l = self.n_labels;
        let mut w = LinearWeights::zeros(self.n_buckets(), l);
        for (b, _, r) in self.iter() {
            w.w[b as usize * l..(b as usize + 1) * l].copy_from_slice(r);
        }
        w.bias.copy_from_slice(&self.bias);
        w
    }

    /// Bytes of memory the table holds.
    pub fn memory_bytes(&self) -> usize {
        self.blocks.len() * std::mem::size_of::<Block>() + (self.rows.len() + self.bias.len()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(n: usize, l: usize, used: &[usize]) -> (Vec<f32>, LinearWeights) {
        let mut idf = vec![0f32; n];
        let mut w = LinearWeights::zeros(n, l);
        for &b in used {
            idf[b] = 1.0 + b as f32 / 1000.0;
            for j in 0..l {
                w.w[b * l + j] = b as f32 - j as f32 * 0.5;
            }
        }
        w.bias = (0..l).map(|j| j as f32 * 0.25).collect();
        (idf, w)
    }

    #[test]
    fn rows_match_the_dense_tables_at_every_bucket() {
        let used = [0usize, 1, 63, 64, 65, 127, 500, 700, 701, 1023];
        let (idf, w) = dense(1024, 3, &used);
        let t = BucketTable::from_dense(&idf, &w);
        assert_eq!(t.used(), used.len());
        assert_eq!(t.buckets().map(|b| b as usize).collect::<Vec<_>>(), used);
        for b in 0..1024u32 {
            match t.row(b) {
                Some(r) => {
                    assert!(used.contains(&(b as usize)), "bucket {b}");
                    assert_eq!(r[0], idf[b as usize]);
                    assert_eq!(&r[1..], &w.w[b as usize * 3..b as usize * 3 + 3]);
                }
                None => assert_eq!(idf[b as usize], 0.0, "bucket {b}"),
            }
            assert_eq!(t.idf(b), idf[b as usize]);
        }
        assert_eq!(t.row(1024), None);
        assert_eq!(t.to_dense(), w);
        let mut out = vec![0f32; 3];
        t.scores_into(&[1, 2, 700], &[0.5, 9.0, 2.0], &mut out);
        let want: Vec<f32> = (0..3)
            .map(|j| w.bias[j] + 0.5 * w.w[3 + j] + 2.0 * w.w[700 * 3 + j])
            .collect();
        assert_eq!(out, want);
    }

    #[test]
    fn an_empty_table_and_bad_orders() {
        let (idf, w) = dense(128, 2, &[]);
        let t = BucketTable::from_dense(&idf, &w);
        assert_eq!((t.used(), t.row(5), t.buckets().count()), (0, None, 0));
        let mut t = BucketTable::with_capacity(128, 2, 2);
        t.push(70, 1.0, &[1.0, 2.0]).unwrap();
        assert!(t.push(70, 1.0, &[1.0, 2.0]).unwrap_err().contains("increasing"));
        assert!(t.push(3, 1.0, &[1.0, 2.0]).unwrap_err().contains("increasing"));
        assert!(t.push(128, 1.0, &[1.0, 2.0]).unwrap_err().contains("out of range"));
        t.push(127, 2.0, &[3.0, 4.0]).unwrap();
        assert_eq!(t.row(127), Some(&[2.0, 3.0, 4.0][..]));
        assert_eq!(t.row(70), Some(&[1.0, 1.0, 2.0][..]));
        assert_eq!(t.row(71), None);
    }
}
