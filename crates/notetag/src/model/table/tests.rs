use super::*;

/// A row as its numbers: IDF, then the weights.
fn numbers(r: Option<Row<'_>>) -> Option<Vec<f32>> {
    r.map(|r| std::iter::once(r.idf()).chain(r.weights()).collect())
}

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
        match numbers(t.row(b)) {
            Some(r) => {
                assert!(used.contains(&(b as usize)), "bucket {b}");
                assert_eq!(r[0], idf[b as usize]);
                assert_eq!(&r[1..], &w.w[b as usize * 3..b as usize * 3 + 3]);
            }
            None => assert_eq!(idf[b as usize], 0.0, "bucket {b}"),
        }
        assert_eq!(t.idf(b), idf[b as usize]);
    }
    assert!(t.row(1024).is_none());
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
    assert_eq!((t.used(), t.row(5).is_none(), t.buckets().count()), (0, true, 0));
    let mut t = BucketTable::with_capacity(128, 2, 2);
    t.push(70, 1.0, &[1.0, 2.0]).unwrap();
    assert!(t.push(70, 1.0, &[1.0, 2.0]).unwrap_err().contains("increasing"));
    assert!(t.push(3, 1.0, &[1.0, 2.0]).unwrap_err().contains("increasing"));
    assert!(t.push(128, 1.0, &[1.0, 2.0]).unwrap_err().contains("out of range"));
    t.push(127, 2.0, &[3.0, 4.0]).unwrap();
    assert_eq!(numbers(t.row(127)), Some(vec![2.0, 3.0, 4.0]));
    assert_eq!(numbers(t.row(70)), Some(vec![1.0, 1.0, 2.0]));
    assert!(t.row(71).is_none());
}

#[test]
fn eight_bit_rows_read_as_their_dequantised_numbers() {
    // Bucket, IDF on the 1/2048 grid, 8-bit weights of 3 labels.
    let rows: [(u32, u16, [i8; 3]); 4] = [
        (2, 2048, [127, -127, 0]),
        (64, 3 * 1024, [-1, 5, 90]),
        (65, 1, [0, 0, -64]),
        (900, 65535, [33, -2, 7]),
    ];
    let scales = vec![0.5, 0.25, 2.0];
    let mut deltas: Vec<u32> = rows.iter().map(|r| r.0).collect();
    for k in (1..deltas.len()).rev() {
        deltas[k] -= deltas[k - 1];
    }
    let idf: Vec<u8> = rows.iter().flat_map(|r| r.1.to_le_bytes()).collect();
    let weights: Vec<u8> = rows.iter().flat_map(|r| r.2.map(|q| q as u8)).collect();
    let q8 = |deltas: &[u32], idf: &[u8], weights: &[u8]| {
        let stored = Stored::Q8 { idf, weights };
        BucketTable::from_columns(1024, deltas, stored, scales.clone(), vec![0.1, -0.2, 0.3])
    };
    let mut t = q8(&deltas, &idf, &weights).unwrap();
    assert!(t.is_quantized());
    assert!(t.push(901, 1.0, &[0.0; 3]).unwrap_err().contains("8-bit table"));
    assert_eq!(t.used(), 4);
    // Bad columns are refused.
    let err = |d: &[u32], i: &[u8], w: &[u8]| q8(d, i, w).unwrap_err();
    assert!(err(&[2, 62, 0, 835], &idf, &weights).contains("increasing"));
    assert!(err(&[2, 62, 1, 1000], &idf, &weights).contains("out of range"));
    assert!(err(&deltas, &idf[1..], &weights).contains("differ in length"));
    assert!(err(&deltas, &idf, &weights[1..]).contains("differ in length"));
    assert!(err(&deltas[1..], &idf, &weights).contains("differ in length"));
    assert_eq!((t.used(), t.n_labels(), t.weight_scales()), (4, 3, &scales[..]));
    for &(b, idf, w) in &rows {
        let want: Vec<f32> = std::iter::once(f32::from(idf) / 2048.0)
            .chain(w.iter().zip(&scales).map(|(&q, s)| f32::from(q) * s))
            .collect();
        assert_eq!(numbers(t.row(b)), Some(want), "bucket {b}");
    }
    assert!(t.row(3).is_none() && t.row(1023).is_none());
    // The stored bytes come back as they went in.
    let stored: Vec<([u8; 2], Vec<u8>)> = t.q8_rows().unwrap().map(|(i, w)| (i, w.to_vec())).collect();
    let given: Vec<([u8; 2], Vec<u8>)> = rows
        .iter()
        .map(|&(_, i, w)| (i.to_le_bytes(), w.map(|q| q as u8).to_vec()))
        .collect();
    assert_eq!(stored, given);
    // Unscaled sums times the scales give the scores of the dequantised weights.
    let (idx, val) = ([2u32, 65, 900, 5], [0.5f32, 2.0, 0.25, 9.0]);
    let mut want = vec![0f32; 3];
    t.scores_into(&idx, &val, &mut want);
    let mut acc = vec![0f32; 3];
    for (&b, &v) in idx.iter().zip(&val) {
        if let Some(i) = t.index(b) {
            let (got, x) = (t.add_rows([(i, v)], &mut acc), v * t.idf(b));
            assert_eq!(got, x * x);
        }
    }
    for j in 0..3 {
        // `scores_into` takes IDF-weighted values; here the values are tf.
        let expect: f32 = idx
            .iter()
            .zip(&val)
            .filter_map(|(&b, &v)| t.row(b).map(|r| v * r.idf() * r.weight(j)))
            .sum();
        assert!((acc[j] * scales[j] - expect).abs() < 1e-3, "label {j}");
    }
    assert_eq!(want[0], 0.1 + 0.5 * 63.5 + 0.25 * 16.5);
    // The dense table holds the dequantised weights.
    let d = t.to_dense();
    assert_eq!(&d.w[900 * 3..901 * 3], &[16.5, -0.5, 14.0]);
    assert!(t.memory_bytes() < BucketTable::from_dense(&vec![1.0; 1024], &d).memory_bytes());
}
