//! The byte form of a trained model: a format version byte, then the model
//! as MessagePack with named fields, so a service can store a model, load it
//! in another process, and refuse one written by an incompatible build.

use crate::model::Model;

/// Version of the byte layout written by [`Model::to_bytes`]; bumped
/// whenever an older reader could misread a newer model.
pub const FORMAT_VERSION: u8 = 1;

/// Why bytes could not become (or come from) a [`Model`].
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// No bytes at all.
    #[error("model bytes are empty")]
    Empty,
    /// Written by a build with another layout.
    #[error("model format version {found} is not {FORMAT_VERSION}, the one this build reads")]
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
    },
    /// The MessagePack body is damaged or of another shape.
    #[error("model body does not decode: {0}")]
    Decode(#[from] rmp_serde::decode::Error),
    /// The model could not be encoded.
    #[error("model does not encode: {0}")]
    Encode(#[from] rmp_serde::encode::Error),
}

impl Model {
    /// The versioned bytes of this model.
    pub fn to_bytes(&self) -> Result<Vec<u8>, FormatError> {
        let mut out = vec![FORMAT_VERSION];
        rmp_serde::encode::write_named(&mut out, self)?;
        Ok(out)
    }

    /// A model from [`Model::to_bytes`]' output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, FormatError> {
        let (&version, body) = bytes.split_first().ok_or(FormatError::Empty)?;
        if version != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion { found: version });
        }
        let model: Model = rmp_serde::from_slice(body)?;
        model.scorer.warm();
        Ok(model)
    }
}
