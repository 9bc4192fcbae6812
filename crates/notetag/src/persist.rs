//! The model file format, and the embedded default model.
//!
//! A model file is:
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `NOTETAG\0` |
//! | 4 | format version, little-endian `u32` (currently 1) |
//! | 8 | payload length, little-endian `u64` |
//! | 4 | CRC-32 of the payload, little-endian `u32` |
//! | n | payload: [postcard](https://docs.rs/postcard) encoding of the model |
//!
//! The payload holds the label set, the featuriser configuration (including any HF
//! tokenizer JSON), the learner parameters, the buckets seen in training
//! (delta-encoded) with their IDF (16-bit) and per-label weights (8-bit, one scale
//! per label), biases, Platt calibration, thresholds and training metadata.
//!
//! Loading checks the magic, the version, that the declared length matches the
//! bytes present, the checksum, and then every size and value against the others
//! before anything is allocated from them; a file that fails any check is rejected
//! whole with [`Error::InvalidModel`] or [`Error::UnsupportedVersion`].

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::calibrate::Platt;
use crate::model::{dequant_idf, quant_idf, weight_scales, Classifier, ClassifierParams, LinearWeights, TrainingMeta};
use crate::text::Featurizer;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"NOTETAG\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 8 + 4;
/// Largest dense table (buckets × (labels + 1) floats) a model may ask for: 1 GiB.
pub const MAX_DENSE_FLOATS: usize = 1 << 28;

#[derive(Serialize, Deserialize)]
struct Payload {
    labels: Vec<String>,
    /// JSON: the parameters use internally tagged enums, which need a
    /// self-describing encoding.
    params: String,
    bucket_deltas: Vec<u32>,
    idf: Vec<u16>,
    scales: Vec<f32>,
    weights: Vec<i8>,
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

impl Classifier {
    /// The model as bytes in the versioned format.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let l = self.labels().len();
        let idf = self.featurizer().idf();
        let w = self.weights();
        let quantized = self.params().quantize;
        let scales = if quantized {
            self.scales.clone().unwrap_or_else(|| weight_scales(w))
        } else {
            Vec::new()
        };
        let (mut bucket_deltas, mut qidf, mut weights) = (Vec::new(), Vec::new(), Vec::new());
        let (mut idf_f32, mut weights_f32) = (Vec::new(), Vec::new());
        let mut last = 0u32;
        for (b, &v) in idf.iter().enumerate() {
            if v == 0.0 {
                continue;
            }
            bucket_deltas.push(b as u32 - last);
            last = b as u32;
            let row = &w.w[b * l..(b + 1) * l];
            if quantized {
                qidf.push(quant_idf(v));
                for (v, s) in row.iter().zip(&scales) {
                    weights.push((v / s).round().clamp(-127.0, 127.0) as i8);
                }
            } else {
                idf_f32.push(v);
                weights_f32.extend_from_slice(row);
            }
        }
        let payload = Payload {
            labels: self.labels().to_vec(),
            params: serde_json::to_string(self.params())?,
            bucket_deltas,
            idf: qidf,
            scales,
            weights,
            idf_f32,
            weights_f32,
            bias: w.bias.clone(),
            calibration: self.calibration().to_vec(),
            thresholds: self.thresholds().to_vec(),
            meta: serde_json::to_string(self.meta())?,
        };
        let body = postcard::to_stdvec(&payload).map_err(|e| Error::InvalidModel {
            path: None,
            reason: format!("cannot encode: {e}"),
        })?;
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        out.extend_from_slice(&body);
        Ok(out)
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
        if version != FORMAT_VERSION {
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
        if crc32fast::hash(body) != u32_at(20) {
            return Err(bad("checksum mismatch: the file is damaged".into()));
        }
        let p: Payload = postcard::from_bytes(body).map_err(|e| bad(format!("cannot decode payload: {e}")))?;
        Self::from_payload(p).map_err(|e| match e {
            Error::InvalidModel { reason, .. } => bad(reason),
            Error::InvalidParam { name, reason } => bad(format!("parameter `{name}`: {reason}")),
            other => other,
        })
    }

    fn from_payload(p: Payload) -> Result<Classifier> {
        let bad = |reason: String| Error::InvalidModel { path: None, reason };
        let params: ClassifierParams =
            serde_json::from_str(&p.params).map_err(|e| bad(format!("bad parameters: {e}")))?;
        let meta: TrainingMeta =
            serde_json::from_str(&p.meta).map_err(|e| bad(format!("bad training metadata: {e}")))?;
        params.check()?;
        let l = p.labels.len();
        let n_buckets = params.text.n_buckets();
        let used = p.bucket_deltas.len();
        if n_buckets.saturating_mul(l + 1) > MAX_DENSE_FLOATS {
            return Err(bad(format!("{n_buckets} buckets × {l} labels exceeds the size limit")));
        }
        let (n_idf, n_w, n_scales) = if params.quantize {
            (p.idf.len(), p.weights.len(), p.scales.len())
        } else {
            (p.idf_f32.len(), p.weights_f32.len(), l)
        };
        if n_idf != used || n_w != used.saturating_mul(l) {
            return Err(bad("bucket, IDF and weight tables differ in length".into()));
        }
        if n_scales != l || p.bias.len() != l {
            return Err(bad("scales or biases do not match the label count".into()));
        }
        let mut idf = vec![0f32; n_buckets];
        let mut w = LinearWeights::zeros(n_buckets, l);
        let mut b: u64 = 0;
        for (k, &d) in p.bucket_deltas.iter().enumerate() {
            if k > 0 && d == 0 {
                return Err(bad("bucket list is not strictly increasing".into()));
            }
            b += u64::from(d);
            if b >= n_buckets as u64 {
                return Err(bad(format!("bucket {b} out of range (model has {n_buckets})")));
            }
            let bi = b as usize;
            let row = &mut w.w[bi * l..(bi + 1) * l];
            if params.quantize {
                idf[bi] = dequant_idf(p.idf[k]);
                for ((o, &q), s) in row.iter_mut().zip(&p.weights[k * l..(k + 1) * l]).zip(&p.scales) {
                    *o = f32::from(q) * s;
                }
            } else {
                idf[bi] = p.idf_f32[k];
                row.copy_from_slice(&p.weights_f32[k * l..(k + 1) * l]);
            }
        }
        w.bias = p.bias;
        let featurizer = Featurizer::new(params.text.clone(), idf)?;
        let mut clf = Classifier::from_parts(p.labels, featurizer, w, p.calibration, p.thresholds, params, meta)?;
        if clf.params().quantize {
            clf.scales = Some(p.scales);
        }
        Ok(clf)
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
            if bytes.len() == HEADER && &bytes[..8] == MAGIC && bytes[8..12] == FORMAT_VERSION.to_le_bytes() {
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
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io_at(path, e));
    }
    Ok(())
}
