//! Sparse vectors and row-major sparse matrices: notetag's own feature containers.

/// A sparse vector: parallel `indices` and `values`. Indices may repeat (their
/// values then add up); [`SparseVec::compact`] merges them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Column (bucket) of each entry.
    pub indices: Vec<u32>,
    /// Value of each entry.
    pub values: Vec<f32>,
}

impl SparseVec {
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Remove every entry, keeping the allocations.
    pub fn clear(&mut self) {
        self.indices.clear();
        self.values.clear();
    }

    /// Append one entry.
    #[inline]
    pub fn push(&mut self, index: u32, value: f32) {
        self.indices.push(index);
        self.values.push(value);
    }

    /// Sort by index and add up the values of repeated indices.
    pub fn compact(&mut self) {
        let mut pairs: Vec<(u32, f32)> = self.indices.iter().copied().zip(self.values.iter().copied()).collect();
        pairs.sort_unstable_by_key(|p| p.0);
        self.clear();
        for (i, v) in pairs {
            match self.indices.last() {
                Some(&last) if last == i => *self.values.last_mut().expect("parallel vectors") += v,
                _ => self.push(i, v),
            }
        }
    }

    /// Squared L2 norm.
    pub fn norm2(&self) -> f32 {
        self.values.iter().map(|v| v * v).sum()
    }
}

/// A row-major (CSR) sparse matrix: one row per note.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseMatrix {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    ncols: usize,
}

impl SparseMatrix {
    /// An empty matrix with `ncols` columns.
    pub fn new(ncols: usize) -> Self {
        SparseMatrix {
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            ncols,
        }
    }

    /// Build from rows.
    pub fn from_rows<'a>(ncols: usize, rows: impl IntoIterator<Item = &'a SparseVec>) -> Self {
        let mut m = Self::new(ncols);
        for r in rows {
            m.push_row(r);
        }
        m
    }

    /// Append a row.
    pub fn push_row(&mut self, row: &SparseVec) {
        self.indices.extend_from_slice(&row.indices);
        self.values.extend_from_slice(&row.values);
        self.indptr.push(self.indices.len());
    }

    /// Row `i` as `(indices, values)`.
    #[inline]
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// A new matrix holding the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Self {
        let mut m = Self::new(self.ncols);
        for &r in rows {
            let (i, v) = self.row(r);
            m.indices.extend_from_slice(i);
            m.values.extend_from_slice(v);
            m.indptr.push(m.indices.len());
        }
        m
    }
}

impl SparseMatrix {
    /// The same rows over only the columns that hold an entry, renumbered `0..k` in
    /// their original order (so sums over a row or over columns run in the same
    /// order as before), and the original column of each new one. Learners over
    /// the compact matrix touch a k-column weight table instead of a mostly empty
    /// one of `ncols`.
    pub fn compact_columns(&self) -> (SparseMatrix, Vec<u32>) {
        let mut count = vec![0u32; self.ncols];
        for &j in &self.indices {
            count[j as usize] += 1;
        }
        let mut used: Vec<u32> = (0..self.ncols as u32).filter(|&j| count[j as usize] > 0).collect();
        // Most frequent first: the columns most rows touch share cache lines.
        used.sort_by_key(|&j| std::cmp::Reverse(count[j as usize]));
        let mut map = vec![u32::MAX; self.ncols];
        for (c, &j) in used.iter().enumerate() {
            map[j as usize] = c as u32;
        }
        let m = SparseMatrix {
            indptr: self.indptr.clone(),
            indices: self.indices.iter().map(|&j| map[j as usize]).collect(),
            values: self.values.clone(),
            ncols: used.len(),
        };
        (m, used)
    }
}

#[cfg(feature = "linfa")]
impl linfa::dataset::Records for SparseMatrix {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.nrows()
    }

    fn nfeatures(&self) -> usize {
        self.ncols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_columns_keeps_rows_and_order() {
        let rows = [
            SparseVec {
                indices: vec![7, 2],
                values: vec![1.0, 2.0],
            },
            SparseVec {
                indices: vec![9],
                values: vec![3.0],
            },
        ];
        let m = SparseMatrix::from_rows(10, &rows);
        let (c, cols) = m.compact_columns();
        assert_eq!(cols, [2, 7, 9]);
        assert_eq!(c.ncols(), 3);
        assert_eq!(c.row(0), (&[1u32, 0][..], &[1.0f32, 2.0][..]));
        assert_eq!(c.row(1), (&[2u32][..], &[3.0f32][..]));
    }

    #[test]
    fn compact_merges_repeats() {
        let mut v = SparseVec::default();
        v.push(5, 1.0);
        v.push(2, 2.0);
        v.push(5, 0.5);
        v.compact();
        assert_eq!(v.indices, [2, 5]);
        assert_eq!(v.values, [2.0, 1.5]);
    }

    #[test]
    fn csr_rows_and_select() {
        let a = SparseVec {
            indices: vec![0, 3],
            values: vec![1.0, 2.0],
        };
        let b = SparseVec {
            indices: vec![1],
            values: vec![4.0],
        };
        let m = SparseMatrix::from_rows(4, [&a, &b]);
        assert_eq!(m.nrows(), 2);
        assert_eq!(m.row(1), (&[1u32][..], &[4.0f32][..]));
        let s = m.select(&[1, 0, 1]);
        assert_eq!(s.nrows(), 3);
        assert_eq!(s.row(1), (&[0u32, 3][..], &[1.0f32, 2.0][..]));
    }
}
