//! The one error type of the core crate.

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
        "unsupported model format version {found} (this build reads version {supported}); upgrade notetag to read it"
    )]
    UnsupportedVersion {
        /// Version found in the file.
        found: u32,
        /// Version this build reads.
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
    #[error("invalid secret key: {0}")]
    InvalidKey(#[from] crate::io::nostr::KeyError),
    /// A Nostr event failed verification.
    #[error("invalid Nostr event: {0}")]
    InvalidEvent(#[from] crate::io::nostr::EventError),
    /// JSON (de)serialisation failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io { path: None, source }
    }
}

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

/// `Result` with notetag's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
