//! Body encodings: MessagePack (named fields) by default, JSON on request.

use bytes::Bytes;
use serde::{de::DeserializeOwned, Serialize};

use crate::headers;

/// How a body is encoded. A reply uses its request's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// MessagePack with named fields (rmp-serde), the default.
    #[default]
    MsgPack,
    /// JSON, for `nats req` by hand and browsers that prefer it.
    Json,
}

/// A body that could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(pub String);

impl Encoding {
    /// The encoding of a request: JSON when `Content-Type` says so or the body
    /// starts with `{` or `[` (or is empty, so a bare `nats req` works);
    /// otherwise MessagePack.
    pub fn detect(content_type: Option<&str>, body: &[u8]) -> Self {
        match content_type.map(|c| c.trim().to_ascii_lowercase()) {
            Some(c) if c.starts_with(headers::JSON) => return Encoding::Json,
            Some(c) if c.starts_with(headers::MSGPACK) => return Encoding::MsgPack,
            _ => {}
        }
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            None | Some(b'{') | Some(b'[') => Encoding::Json,
            Some(_) => Encoding::MsgPack,
        }
    }

    /// The `Content-Type` value for this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::MsgPack => headers::MSGPACK,
            Encoding::Json => headers::JSON,
        }
    }

    /// Encode a value.
    pub fn encode<T: Serialize + ?Sized>(self, value: &T) -> Result<Bytes, CodecError> {
        // Room for a typical reply up front: growing the buffer copies it.
        let mut bytes = Vec::with_capacity(512);
        match self {
            Encoding::MsgPack => {
                rmp_serde::encode::write_named(&mut bytes, value).map_err(|e| CodecError(e.to_string()))?
            }
            Encoding::Json => serde_json::to_writer(&mut bytes, value).map_err(|e| CodecError(e.to_string()))?,
        };
        Ok(Bytes::from(bytes))
    }

    /// Decode a value. An empty JSON body decodes as `{}`, so requests without
    /// fields need no body.
    pub fn decode<T: DeserializeOwned>(self, body: &[u8]) -> Result<T, CodecError> {
        match self {
            Encoding::MsgPack => rmp_serde::from_slice(body).map_err(|e| CodecError(e.to_string())),
            Encoding::Json if body.iter().all(u8::is_ascii_whitespace) => {
                serde_json::from_slice(b"{}").map_err(|e| CodecError(e.to_string()))
            }
            Encoding::Json => serde_json::from_slice(body).map_err(|e| CodecError(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Probe {
        id: String,
        n: u32,
    }

    #[test]
    fn detects_json_by_header_or_first_byte() {
        assert_eq!(Encoding::detect(None, b" {\"a\":1}"), Encoding::Json);
        assert_eq!(Encoding::detect(None, b"[1]"), Encoding::Json);
        assert_eq!(Encoding::detect(None, b""), Encoding::Json);
        assert_eq!(Encoding::detect(Some("application/json; charset=utf-8"), b"\x81"), Encoding::Json);
        assert_eq!(Encoding::detect(None, b"\x82\xa2id"), Encoding::MsgPack);
        assert_eq!(Encoding::detect(Some("application/msgpack"), b"{"), Encoding::MsgPack);
    }

    #[test]
    fn msgpack_uses_named_fields() {
        let p = Probe { id: "x".into(), n: 7 };
        let bytes = Encoding::MsgPack.encode(&p).unwrap();
        // A map (0x82) with the field names in it, not an array.
        assert_eq!(bytes[0], 0x82);
        assert!(bytes.windows(2).any(|w| w == b"id"));
        assert_eq!(Encoding::MsgPack.decode::<Probe>(&bytes).unwrap(), p);
    }
}
