//! The one error type of the relay crate.

use std::path::PathBuf;

/// Everything that can stop the labeler or the policy plugin before or while they run.
///
/// Trouble with a relay (a dropped connection, a refused event, a garbage frame) is
/// not an error: it is logged, counted and retried. These are the conditions that
/// need the operator. The enum is `#[non_exhaustive]`: match with a wildcard arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is outside what is accepted (a relay URL, a language code, a topic
    /// the model does not know…).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParam {
        /// The parameter, as the command line names it.
        name: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// The state file exists but cannot be used.
    #[error("state file {}: {reason}", path.display())]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it and what to do.
        reason: String,
    },
    /// An I/O error, with the file where known.
    #[error("{}{source}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Io {
        /// The file involved, where known.
        path: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An error of the core library (loading a model…).
    #[error(transparent)]
    Core(#[from] notetag::Error),
}

impl Error {
    /// An invalid parameter.
    pub fn param(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParam {
            name,
            reason: reason.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io_at(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: Some(path.into()),
            source,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io { path: None, source }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
