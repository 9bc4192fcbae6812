//! A small, fast, non-cryptographic hash for feature hashing.
//!
//! Stable across platforms and releases of notetag: model files depend on it, so
//! changing it is a model-format change.

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// MurmurHash3's 64-bit finaliser: spreads every input bit over the low bits that
/// pick a bucket.
#[inline]
pub fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hash `bytes` under `seed`, eight bytes at a time.
#[inline]
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = (h ^ tail_le(rest)).wrapping_mul(K).rotate_left(29);
    }
    h
}

/// The 1 to 7 bytes of `rest` as a little-endian integer (zero-padded), read as
/// two overlapping words instead of a copy: a word's tail is short, and a
/// variable-length copy costs a `memcpy` call.
#[inline]
fn tail_le(rest: &[u8]) -> u64 {
    let n = rest.len();
    let word = |at: usize, len: usize| {
        rest[at..at + len]
            .iter()
            .rev()
            .fold(0u64, |v, &b| v << 8 | u64::from(b))
    };
    if n >= 4 {
        // Bytes 0..4 and n-4..n; the overlap holds the same bytes in both.
        word(0, 4) | word(n - 4, 4) << (8 * (n - 4))
    } else if n >= 2 {
        word(0, 2) | word(n - 2, 2) << (8 * (n - 2))
    } else {
        u64::from(rest[0])
    }
}

/// Combine the hash of an n-gram so far with the next token's hash.
#[inline]
pub fn combine(acc: u64, next: u64) -> u64 {
    (acc.rotate_left(23) ^ next).wrapping_mul(K)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_seeded() {
        // Saved models depend on these hashes: seeds, order and bytes must all matter.
        assert_eq!(hash_bytes(0, b""), 0);
        assert_ne!(hash_bytes(1, b"bitcoin"), hash_bytes(2, b"bitcoin"));
        assert_ne!(hash_bytes(1, b"ab"), hash_bytes(1, b"ba"));
        assert_ne!(fmix(hash_bytes(1, b"abcdefgh1")), fmix(hash_bytes(1, b"abcdefgh2")));
        assert_ne!(combine(1, 2), combine(2, 1));
    }

    #[test]
    fn short_tails_read_as_zero_padded_little_endian() {
        let bytes: Vec<u8> = (1..=23u8).map(|b| b.wrapping_mul(37)).collect();
        for n in 1..8 {
            let mut a = [0u8; 8];
            a[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(tail_le(&bytes[..n]), u64::from_le_bytes(a), "{n} bytes");
        }
    }

    #[test]
    fn low_bits_are_spread() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..1000u32 {
            seen.insert(fmix(hash_bytes(7, format!("w{i}").as_bytes())) & 1023);
        }
        // 1000 keys in 1024 buckets: a good hash fills roughly 630.
        assert!(seen.len() > 560, "only {} buckets used", seen.len());
    }
}
