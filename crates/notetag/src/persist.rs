//! The model file format (`.ntag`), and the embedded default model.
//!
//! # Model format
//!
//! A model is one file (conventionally `*.ntag`), the same bytes as
//! [`Classifier::to_bytes`] returns and [`Classifier::from_bytes`] reads. It starts
//! with a fixed 24-byte header:
//!
//! | offset | bytes | content |
//! | --- | --- | --- |
//! | 0 | 8 | magic `NOTETAG\0` ([`MAGIC`]) |
//! | 8 | 4 | format version, little-endian `u32` ([`FORMAT_VERSION`], currently 3; version 2, whose parameters have no short-note floor, is read too; version 1, from before the per-word char block, is refused) |
//! | 12 | 8 | payload length in bytes, little-endian `u64` |
//! | 20 | 4 | CRC-32 (IEEE) of the format version's 4 bytes then the payload (version 2: of the payload alone), little-endian `u32` |
//! | 24 | n | payload |
//!
//! The payload is the [postcard](https://docs.rs/postcard) encoding of one record
//! with these fields, in this order (postcard writes fields back to back with no
//! names: a sequence or string is a varint length then its items, `u16`/`u32` are
//! varints, `f32` four bytes little-endian, a byte string a varint length then
//! its bytes):
//!
//! | field | type | content |
//! | --- | --- | --- |
//! | `labels` | `[string]` | label names, sorted; the order of every per-label table |
//! | `params` | string | JSON of the [`ClassifierParams`] (featuriser, learner, …; JSON because the parameter enums are internally tagged) |
//! | `bucket_deltas` | `[u32]` | the hashed buckets seen in training, ascending: the first bucket, then the difference to the previous one (each > 0) |
//! | `idf` | bytes | per used bucket, IDF × 2048 as a little-endian `u16` (quantised models; else empty) |
//! | `scales` | `[f32]` | per label, the scale of its 8-bit weights (quantised models; else empty) |
//! | `weights` | bytes | per used bucket, as two's-complement `i8`, one weight per label (bucket-major); weight = value × scale of its label (quantised models; else empty) |
//! | `idf_f32` | `[f32]` | per used bucket, IDF at full precision (models trained with `quantize = false`; else empty) |
//! | `weights_f32` | `[f32]` | bucket-major weights at full precision (likewise) |
//! | `bias` | `[f32]` | per label, the bias of its linear scorer |
//! | `calibration` | `[(f32, f32)]` | per label, Platt `(a, b)`: p = 1 / (1 + exp(a × score + b)) |
//! | `thresholds` | `[f32]` | per label, the probability at or above which the label is given (for a note in a language with thresholds of its own, see `meta`, those instead) |
//! | `meta` | string | JSON of the [`TrainingMeta`] (rows, label counts, data hash, out-of-fold metrics, source, covered languages and their own thresholds) |
//!
//! Buckets not listed have IDF 0 and weight 0. The number of buckets is
//! `2^bucket_bits` from the parameters; any HF tokenizer configuration travels in
//! `params` too, so a model file is all a reader needs.
//!
//! Loading checks the magic, the version, that the declared length matches the
//! bytes present, the checksum, and then every size and value against the others
//! (table lengths, bucket order and range, finite numbers, parameter ranges,
//! at most [`MAX_DENSE_FLOATS`] dense floats) before anything is allocated from
//! them; a file that fails any check is rejected whole with
//! [`Error::InvalidModel`] or, for another format version,
//! [`Error::UnsupportedVersion`]. Loading never executes anything from the file.
//!
//! Readers reject format versions they do not know rather than guess.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::calibrate::Platt;
pub use crate::model::MAX_DENSE_FLOATS;
use crate::model::{
    check_dense_size, quant_idf, quantize, BucketTable, Classifier, ClassifierParams, Stored, TrainingMeta,
};
use crate::text::Featurizer;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"NOTETAG\0";
/// The format version this build writes, and the newest it reads. Version 3
/// added the short-note floor (`ClassifierParams::short_note_floor`), which
/// prediction applies: a reader of version 2 would ignore it and tag short notes
/// differently, so it must refuse the file instead.
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build reads (its models have no short-note
/// floor, as if it were 0).
pub const OLDEST_FORMAT_VERSION: u32 = 2;

/// Whether this build reads format `version`.
fn readable(version: u32) -> bool {
    (OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version)
}
const HEADER: usize = 8 + 4 + 8 + 4;

/// The header's checksum of a payload in format `version`: from version 3 on it
/// covers the version too, so that a damaged version field cannot pass for the
/// other readable one (2 and 3 differ by one bit).
pub fn checksum(version: u32, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    if version >= 3 {
        h.update(&version.to_le_bytes());
    }
    h.update(payload);
    h.finalize()
}

/// A model file around `payload`, in the current format: magic, version, length,
/// checksum, then the payload (what [`Classifier::to_bytes`] writes; tools and
/// tests that craft payloads frame them with it).
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(FORMAT_VERSION, payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}
#[derive(Serialize, Deserialize)]
struct Payload<'a> {
    labels: Vec<String>,
    /// JSON: the parameters use internally tagged enums, which need a
    /// self-describing encoding.
    params: String,
    bucket_deltas: Vec<u32>,
    /// 16-bit IDF per bucket, little-endian.
    #[serde(borrow)]
    idf: Blob<'a>,
    scales: Vec<f32>,
    /// 8-bit weights (two's complement), bucket-major.
    #[serde(borrow)]
    weights: Blob<'a>,
    /// Full-precision IDF and weights, for models trained with `quantize = false`
    /// (then `idf`, `scales` and `weights` are empty).
    idf_f32: Vec<f32>,
    weights_f32: Vec<f32>,
    bias: Vec<f32>,
    calibration: Vec<Platt>,
    thresholds: Vec<f32>,
    /// JSON, like `params`.
    meta: String,
}

/// A byte string, encoded as one length-prefixed run (not element by element),
/// and borrowed from the model's bytes when read.
#[derive(Default)]
struct Blob<'a>(Cow<'a, [u8]>);

impl Serialize for Blob<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Blob<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Blob<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> std::result::Result<Blob<'de>, E> {
                Ok(Blob(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Blob<'de>, E> {
                Ok(Blob(Cow::Owned(v.to_vec())))
            }
        }
        d.deserialize_bytes(V)
    }
}

impl Classifier {
    /// The model as bytes in the versioned format.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let l = self.labels().len();
        let t = self.table();
        let quantized = self.params().quantize;
        let mut last = 0u32;
        let bucket_deltas: Vec<u32> = t
            .buckets()
            .map(|b| {
                let d = b - last;
                last = b;
                d
            })
            .collect();
        let (mut qidf, mut weights) = (Vec::new(), Vec::new());
        let (mut idf_f32, mut weights_f32) = (Vec::new(), Vec::new());
        let scales = match (quantized, t.q8_rows()) {
            // Loaded or trained models: the 8-bit rows as they are.
            (true, Some(rows)) => {
                for (idf, w) in rows {
                    qidf.extend_from_slice(&idf);
                    weights.extend_from_slice(w);
                }
                t.weight_scales().to_vec()
            }
            (true, None) => {
                let rows: Vec<f32> = t.iter().flat_map(|(_, r)| r.weights()).collect();
                for (_, r) in t.iter() {
                    qidf.extend_from_slice(&quant_idf(r.idf()).to_le_bytes());
                }
                let (scales, q) = quantize(&rows, l);
                weights = q;
                scales
            }
            (false, _) => {
                for (_, r) in t.iter() {
                    idf_f32.push(r.idf());
                    weights_f32.extend(r.weights());
                }
                Vec::new()
            }
        };
        let payload = Payload {
            labels: self.labels().to_vec(),
            params: serde_json::to_string(self.params())?,
            bucket_deltas,
            idf: Blob(Cow::Owned(qidf)),
            scales,
            weights: Blob(Cow::Owned(weights)),
            idf_f32,
            weights_f32,
            bias: t.bias().to_vec(),
            calibration: self.calibration().to_vec(),
            thresholds: self.thresholds().to_vec(),
            meta: serde_json::to_string(self.meta())?,
        };
        let body = postcard::to_stdvec(&payload).map_err(|e| Error::InvalidModel {
            path: None,
            reason: format!("cannot encode: {e}"),
        })?;
        Ok(frame(&body))
    }

    /// Read a model from bytes, validating everything first.
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier> {
        let bad = |reason: String| Error::InvalidModel { path: None, reason };
        if bytes.len() < HEADER {
            if !MAGIC.starts_with(&bytes[..bytes.len().min(8)]) {
                return Err(bad("not a notetag model (wrong magic bytes)".into()));
            }
            return Err(bad(format!("truncated header: {} of {HEADER} bytes", bytes.len())));
        }
        if &bytes[..8] != MAGIC {
            return Err(bad("not a notetag model (wrong magic bytes)".into()));
        }
        let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let version = u32_at(8);
        if !readable(version) {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&bytes[12..20]);
        let declared = u64::from_le_bytes(len);
        let body = &bytes[HEADER..];
        if declared != body.len() as u64 {
            return Err(bad(format!(
                "declared payload of {declared} bytes but {} present (truncated or padded file)",
                body.len()
            )));
        }
        if checksum(version, body) != u32_at(20) {
            return Err(bad("checksum mismatch: the file is damaged".into()));
        }
        let p: Payload<'_> = postcard::from_bytes(body).map_err(|e| bad(format!("cannot decode payload: {e}")))?;
        Self::from_payload(p).map_err(|e| match e {
            Error::InvalidModel { reason, .. } => bad(reason),
            Error::InvalidParam { name, reason } => bad(format!("parameter `{name}`: {reason}")),
            other => other,
        })
    }

    fn from_payload(p: Payload<'_>) -> Result<Classifier> {
        let bad = |reason: String| Error::InvalidModel { path: None, reason };
        let params: ClassifierParams =
            serde_json::from_str(&p.params).map_err(|e| bad(format!("bad parameters: {e}")))?;
        let meta: TrainingMeta =
            serde_json::from_str(&p.meta).map_err(|e| bad(format!("bad training metadata: {e}")))?;
        let valid = params.check()?;
        let l = p.labels.len();
        let n_buckets = params.text.n_buckets();
        check_dense_size(n_buckets, l).map_err(bad)?;
        let n_scales = if params.quantize { p.scales.len() } else { l };
        if n_scales != l || p.bias.len() != l {
            return Err(bad("scales or biases do not match the label count".into()));
        }
        let finite = |xs: &[f32]| xs.iter().all(|v| v.is_finite());
        if !finite(&p.scales) || !finite(&p.idf_f32) || !finite(&p.weights_f32) {
            return Err(bad("non-finite number in weights, scales or IDF".into()));
        }
        // Quantised models keep their 8-bit rows (see `BucketTable`).
        let stored = if params.quantize {
            Stored::Q8 {
                idf: &p.idf.0,
                weights: &p.weights.0,
            }
        } else {
            Stored::F32 {
                idf: &p.idf_f32,
                weights: &p.weights_f32,
            }
        };
        let scales = if params.quantize { p.scales } else { vec![1.0; l] };
        let table = BucketTable::from_columns(n_buckets, &p.bucket_deltas, stored, scales, p.bias).map_err(bad)?;
        let featurizer = Featurizer::checked(params.text.clone(), valid.tokenizer().cloned());
        Classifier::from_table(p.labels, featurizer, table, p.calibration, p.thresholds, params, meta)
    }

    /// Save atomically: write a temporary file beside `path`, then rename it.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Load a model file. Reads the header first and then no more than the length
    /// it declares (plus one byte, to tell a padded file), so a file that is not a
    /// model (or never ends, like `/dev/zero`) is rejected without being read whole.
    pub fn load(path: impl AsRef<Path>) -> Result<Classifier> {
        let path = path.as_ref();
        let read = || -> std::io::Result<Vec<u8>> {
            let mut file = std::fs::File::open(path)?;
            let mut bytes = Vec::with_capacity(HEADER);
            Read::take(&mut file, HEADER as u64).read_to_end(&mut bytes)?;
            if bytes.len() == HEADER
                && &bytes[..8] == MAGIC
                && readable(u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]))
            {
                let mut len = [0u8; 8];
                len.copy_from_slice(&bytes[12..20]);
                let declared = u64::from_le_bytes(len);
                Read::take(&mut file, declared.saturating_add(1)).read_to_end(&mut bytes)?;
            }
            Ok(bytes)
        };
        let bytes = read().map_err(|e| Error::io_at(path, e))?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            Error::InvalidModel { reason, .. } => Error::InvalidModel {
                path: Some(path.to_path_buf()),
                reason,
            },
            other => other,
        })
    }

    /// The embedded default model (geopolitics, personal, tech, trade_finance).
    pub fn default_model() -> Result<Classifier> {
        Self::from_bytes(DEFAULT_MODEL)
    }
}

/// The bytes of the embedded default model.
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../models/default.ntag");

/// Write `bytes` to `path` atomically (temporary file in the same folder, fsync,
/// rename): readers see the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| Ok(w.write_all(bytes)?))
}

/// [`write_atomic`] for content written piece by piece: `write` fills a temporary
/// file in `path`'s folder through a buffer; the file is then flushed, synced to
/// disk and renamed over `path`, and `write`'s value returned.
///
/// On any error, `write`'s own included, the temporary file is removed and `path`
/// is left as it was. I/O errors name `path`. The new file gets the permissions a
/// newly created file gets (the process's umask applies).
pub fn write_atomic_with<T>(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let at_path = |e: std::io::Error| Error::io_at(path, e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(at_path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp);
    let value = write(&mut w).map_err(|e| match e {
        Error::Io { path: None, source } => at_path(source),
        other => other,
    })?;
    let tmp = w.into_inner().map_err(|e| at_path(e.into_error()))?;
    tmp.as_file().sync_all().map_err(at_path)?;
    tmp.persist(path).map_err(|e| at_path(e.error))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn atomic_writes_replace_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two, longer");
        let n = write_atomic_with(&path, |w| {
            w.write_all(b"three")?;
            Ok(5)
        })
        .unwrap();
        assert_eq!((n, std::fs::read(&path).unwrap()), (5, b"three".to_vec()));
        assert_eq!(names(dir.path()), ["out.txt"]);
        #[cfg(unix)]
        {
            // As `File::create` would make it: not narrowed to the owner.
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            let plain = dir.path().join("plain.txt");
            std::fs::write(&plain, b"").unwrap();
            assert_eq!(
                mode & 0o777,
                std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777
            );
        }
    }

    #[test]
    fn failed_atomic_writes_leave_no_temporary_file_and_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: the rename fails.
        let target = dir.path().join("a-directory");
        std::fs::create_dir(&target).unwrap();
        let e = write_atomic(&target, b"x").unwrap_err();
        assert!(matches!(&e, Error::Io { path: Some(p), .. } if *p == target), "{e:?}");
        assert!(e.to_string().contains("a-directory"), "{e}");
        assert_eq!(names(dir.path()), ["a-directory"]);
        assert!(names(&target).is_empty());
        // The folder is missing: nothing can be created.
        let orphan = dir.path().join("missing").join("out.txt");
        let e = write_atomic(&orphan, b"x").unwrap_err();
        assert!(e.to_string().contains(&*orphan.to_string_lossy()), "{e}");
        assert_eq!(names(dir.path()), ["a-directory"]);
        // The content fails half way: the old file stays, the error is the writer's,
        // and an I/O error without a path gets the target's.
        let path = dir.path().join("kept.txt");
        std::fs::write(&path, b"old").unwrap();
        let e = write_atomic_with(&path, |w| -> Result<()> {
            w.write_all(b"new, half written")?;
            Err(Error::InvalidData("stop".into()))
        })
        .unwrap_err();
        assert!(matches!(e, Error::InvalidData(_)), "{e:?}");
        let e = write_atomic_with(&path, |w| -> Result<()> {
            w.write_all(b"new")?;
            Err(std::io::Error::other("disk full").into())
        })
        .unwrap_err();
        assert_eq!(e.to_string(), format!("{}: disk full", path.display()));
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["a-directory", "kept.txt"]);
    }
}
