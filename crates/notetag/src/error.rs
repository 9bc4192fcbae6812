//! The error type of the core crate, and the details of Nostr key and event
//! errors it carries.

use std::path::PathBuf;

/// Everything that can go wrong in notetag's core.
///
/// Every variant says what was wrong and, where it is known, where (file, line,
/// field). The enum is `#[non_exhaustive]`: match with a wildcard arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is outside its documented range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParam {
        /// Parameter name as in the builder.
        name: &'static str,
        /// What is wrong and what range is accepted.
        reason: String,
    },
    /// Training data cannot be used as given.
    #[error("invalid training data: {0}")]
    InvalidData(String),
    /// Every training row carries the same labels: nothing to tell apart.
    #[error(
        "all {rows} training rows carry the same labels ({}): training needs at least two classes \
         (notes of another topic, or notes with no topic)",
        labels.join(", ")
    )]
    OneClass {
        /// Training rows.
        rows: usize,
        /// The labels every row carries.
        labels: Vec<String>,
    },
    /// A record of an input file could not be read.
    #[error("{source_name}:{line}: {message}")]
    Record {
        /// File name (or `<stdin>`, `<memory>`).
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong, naming the field where it applies.
        message: String,
    },
    /// A model file or byte string is not a valid notetag model.
    #[error("invalid model{}: {reason}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    InvalidModel {
        /// The file, when the model came from one.
        path: Option<PathBuf>,
        /// What is wrong with it.
        reason: String,
    },
    /// The model was written by a newer (or unknown) format version.
    #[error(
        "unsupported model format version {found} (this build reads versions {oldest} to {supported}); upgrade notetag to read a newer one",
        oldest = crate::persist::OLDEST_FORMAT_VERSION
    )]
    UnsupportedVersion {
        /// Version found in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A label name unknown to the model.
    #[error("unknown label `{0}`")]
    UnknownLabel(String),
    /// The HF tokenizer configuration could not be built or applied.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// An I/O error, with the path where known.
    #[error("{}{source}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Io {
        /// The file involved, where known.
        path: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A Nostr secret key could not be parsed (the message never contains the key).
    #[cfg(feature = "nostr")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nostr")))]
    #[error("invalid secret key: {0}")]
    InvalidKey(#[from] KeyError),
    /// A Nostr event failed verification.
    #[cfg(feature = "nostr")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nostr")))]
    #[error("invalid Nostr event: {0}")]
    InvalidEvent(#[from] EventError),
    /// JSON (de)serialisation failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io { path: None, source }
    }
}

#[cfg(feature = "linfa")]
impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::InvalidData(e.to_string())
    }
}

impl Error {
    /// Attach a path to an I/O error.
    pub fn io_at(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: Some(path.into()),
            source,
        }
    }

    pub(crate) fn param(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParam {
            name,
            reason: reason.into(),
        }
    }
}

/// What a secret key string was wrong about. Messages never contain the key.
#[cfg(feature = "nostr")]
#[cfg_attr(docsrs, doc(cfg(feature = "nostr")))]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Nothing but white space.
    #[error("the secret key is empty")]
    Empty,
    /// Not 64 characters (and not an `nsec1…` string).
    #[error("expected 64 hex characters or an nsec1… bech32 string, found {found} characters")]
    WrongLength {
        /// Characters found (after trimming white space).
        found: usize,
    },
    /// A character of a 64-character key is not a hex digit.
    #[error("character {position} of the hex key is not a hex digit (0-9, a-f)")]
    BadHex {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// A bech32 string with another NIP-19 prefix (a public key or a note id, say).
    #[error("this is a NIP-19 `{prefix}` string, not a secret key: expected nsec1…")]
    WrongPrefix {
        /// The prefix found (`npub`, `note`, …); prefixes are not secret.
        prefix: String,
    },
    /// A character outside the bech32 alphabet.
    #[error("character {position} of the nsec string is not in the bech32 alphabet")]
    BadBech32Char {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// Upper and lower case mixed in one bech32 string.
    #[error("the nsec string mixes upper and lower case")]
    MixedCase,
    /// The bech32 checksum does not match.
    #[error("the nsec checksum does not match: a character was mistyped, lost or swapped")]
    BadChecksum,
    /// The bech32 payload is not 32 bytes (or has non-zero padding).
    #[error("the nsec string does not hold exactly 32 bytes")]
    BadPayload,
    /// Zero, or not below the secp256k1 group order.
    #[error("the secret key is zero or not below the secp256k1 group order")]
    OutOfRange,
}

/// Why an event failed [`verify_event`](crate::io::nostr::verify_event).
#[cfg(feature = "nostr")]
#[cfg_attr(docsrs, doc(cfg(feature = "nostr")))]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// A field has the wrong shape (`id`, `pubkey`, `sig` must be lowercase hex of
    /// 32, 32 and 64 bytes).
    #[error("field `{field}`: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The id is not the sha256 of the event's NIP-01 serialisation.
    #[error("field `id`: {found} is not the hash of the event (computed {computed})")]
    IdMismatch {
        /// The id recomputed from the fields.
        computed: String,
        /// The id the event carries.
        found: String,
    },
    /// The pubkey is not the x coordinate of a secp256k1 point.
    #[error("field `pubkey`: not a valid secp256k1 x-only public key")]
    BadPublicKey,
    /// The signature does not verify for this id and pubkey.
    #[error("field `sig`: the BIP-340 signature does not verify for this id and pubkey")]
    BadSignature,
}

/// `Result` with notetag's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
