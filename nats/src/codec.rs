//! Body encodings: MessagePack (named fields) by default, JSON on request.
//!
//! Decoding is always bounded (size and nesting) so that no body can exhaust
//! memory or overflow a worker's stack. Requests decode strictly
//! ([`Encoding::decode_request`]); records and replies leniently
//! ([`Encoding::decode`]), so an older reader tolerates a newer writer.

mod bounded;
#[cfg(test)]
mod round_trip;

use bytes::Bytes;
use serde::{de::DeserializeOwned, Serialize};

use crate::headers;
use bounded::{Mode, Scope};

/// The deepest nesting of arrays, maps and enum variants with data a body may
/// have (the body's own map is level 1). The deepest message today is about 4
/// (`PlaylistView.tracks[].album_artist`); 32 leaves room and keeps a decode
/// far from the end of the stack (a tokio worker has 2 MiB: rmp-serde skipping
/// an unknown value 800 levels deep overflows it in a debug build).
pub const MAX_DEPTH: usize = 32;

/// The largest request body, in bytes: NATS's default `max_payload`, so a
/// request the default server carries is never refused for size (the bound
/// holds where `max_payload` is raised). The largest legitimate requests are
/// playlist writes at profile's 10,000-track ceiling: an update replacing
/// every track (10,000 removes, 10,000 adds, a 2,000 character description)
/// is ~450 KB in compact JSON, ~630 KB pretty-printed, ~220 KB in
/// MessagePack; a create or a full queue is less. Catalog writes carry one
/// entity (about a kilobyte); no request carries art or audio.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The largest record or reply body, in bytes: above any NATS message at the
/// default `max_payload` (1 MiB; an art reply holds up to 1 MB of image) and
/// at nats-server's recommended ceiling (it warns above 8 MB).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// How a body is encoded. A reply uses its request's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// MessagePack with named fields (rmp-serde), the default.
    #[default]
    MsgPack,
    /// JSON, for `nats req` by hand and browsers that prefer it.
    Json,
}

/// Why a body could not be encoded or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodecErrorKind {
    /// The value could not be encoded.
    Encode,
    /// The body is larger than its limit ([`MAX_REQUEST_BYTES`], [`MAX_BODY_BYTES`]).
    TooLarge,
    /// The body nests deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The body is malformed or not the expected type: a syntax error, a
    /// missing or (strictly) unknown field, a sequence for a struct, trailing bytes.
    Invalid,
}

/// A body that could not be encoded or decoded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct CodecError {
    kind: CodecErrorKind,
    message: String,
}

impl CodecError {
    fn new(kind: CodecErrorKind, message: impl Into<String>) -> Self {
        CodecError { kind, message: message.into() }
    }

    /// Why.
    pub fn kind(&self) -> CodecErrorKind {
        self.kind
    }
}

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
            Encoding::MsgPack => rmp_serde::encode::write_named(&mut bytes, value).map_err(encode_error)?,
            Encoding::Json => serde_json::to_writer(&mut bytes, value).map_err(encode_error)?,
        };
        Ok(Bytes::from(bytes))
    }

    /// Decode a record or reply: bounded by [`MAX_BODY_BYTES`] and
    /// [`MAX_DEPTH`], unknown fields skipped. An empty JSON body decodes as `{}`.
    pub fn decode<T: DeserializeOwned>(self, body: &[u8]) -> Result<T, CodecError> {
        self.decode_as(body, Mode::Lenient)
    }

    /// Decode a request strictly: bounded by [`MAX_REQUEST_BYTES`] and
    /// [`MAX_DEPTH`], and refusing unknown fields, a sequence where a struct
    /// is expected and trailing bytes. An empty JSON body decodes as `{}`, so
    /// requests without fields need no body.
    ///
    /// ```
    /// use chorus_nats::{codec::CodecErrorKind, messages::catalog::TrackGet, Encoding};
    ///
    /// let id = "0190b7e5-0000-7000-8000-000000000000";
    /// let ok: TrackGet = Encoding::Json.decode_request(format!(r#"{{"id":"{id}"}}"#).as_bytes()).unwrap();
    /// assert_eq!(ok.id.to_string(), id);
    /// let typo = Encoding::Json.decode_request::<TrackGet>(format!(r#"{{"id":"{id}","idd":1}}"#).as_bytes());
    /// assert!(typo.unwrap_err().to_string().starts_with("unknown field `idd`"));
    /// let deep = Encoding::Json.decode_request::<TrackGet>(&[b'['; 40]).unwrap_err();
    /// assert_eq!(deep.kind(), CodecErrorKind::TooDeep);
    /// ```
    pub fn decode_request<T: DeserializeOwned>(self, body: &[u8]) -> Result<T, CodecError> {
        self.decode_as(body, Mode::Strict)
    }

    fn decode_as<T: DeserializeOwned>(self, body: &[u8], mode: Mode) -> Result<T, CodecError> {
        let limit = match mode {
            Mode::Strict => MAX_REQUEST_BYTES,
            Mode::Lenient => MAX_BODY_BYTES,
        };
        if body.len() > limit {
            return Err(CodecError::new(
                CodecErrorKind::TooLarge,
                format!("body larger than {limit} bytes ({} bytes)", body.len()),
            ));
        }
        let scope = Scope::new(mode);
        let refused = |e: &dyn std::fmt::Display| {
            let kind = if scope.too_deep() { CodecErrorKind::TooDeep } else { CodecErrorKind::Invalid };
            CodecError::new(kind, e.to_string())
        };
        match self {
            // A backstop one level above ours (rmp-serde also counts ext
            // values, which we do not); its default, 1024, is too deep for a stack.
            Encoding::MsgPack => {
                const BACKSTOP: usize = MAX_DEPTH + 2;
                match mode {
                    // A reader that knows where it stopped, to refuse trailing bytes.
                    Mode::Strict => {
                        let mut de = rmp_serde::Deserializer::new(body);
                        de.set_max_depth(BACKSTOP);
                        let value = bounded::deserialize(&mut de, &scope).map_err(|e| refused(&e))?;
                        if !de.get_ref().is_empty() {
                            return Err(CodecError::new(CodecErrorKind::Invalid, "trailing bytes after the body"));
                        }
                        Ok(value)
                    }
                    Mode::Lenient => {
                        let mut de = rmp_serde::Deserializer::from_read_ref(body);
                        de.set_max_depth(BACKSTOP);
                        bounded::deserialize(&mut de, &scope).map_err(|e| refused(&e))
                    }
                }
            }
            Encoding::Json => {
                let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
                // Refused before parsing; serde_json's own limit (128) is a backstop.
                if bounded::json_too_deep(body) {
                    return Err(CodecError::new(CodecErrorKind::TooDeep, format!("nesting deeper than {MAX_DEPTH}")));
                }
                let mut de = serde_json::Deserializer::from_slice(body);
                let value = bounded::deserialize(&mut de, &scope).map_err(|e| refused(&e))?;
                de.end().map_err(|e| refused(&e))?;
                Ok(value)
            }
        }
    }
}

fn encode_error(e: impl std::fmt::Display) -> CodecError {
    CodecError::new(CodecErrorKind::Encode, e.to_string())
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
    #[test]
    fn an_empty_json_body_is_an_empty_map() {
        assert_eq!(Encoding::Json.decode_request::<crate::messages::Empty>(b"").unwrap(), crate::messages::Empty {});
        assert_eq!(Encoding::Json.decode_request::<crate::messages::Empty>(b" \n").unwrap(), crate::messages::Empty {});
        assert_eq!(Encoding::Json.decode::<crate::messages::Empty>(b"").unwrap(), crate::messages::Empty {});
        assert!(Encoding::Json.decode_request::<Probe>(b"").unwrap_err().to_string().contains("missing field `id`"));
    }

    #[test]
    fn trailing_bytes_are_refused_in_a_request() {
        let p = Probe { id: "x".into(), n: 7 };
        for encoding in [Encoding::MsgPack, Encoding::Json] {
            let mut body = encoding.encode(&p).unwrap().to_vec();
            body.extend_from_slice(b"1");
            let e = encoding.decode_request::<Probe>(&body).unwrap_err();
            assert_eq!(e.kind(), CodecErrorKind::Invalid, "{encoding:?}: {e}");
        }
        // Leniently, MessagePack stops after the value, as it always has.
        let mut body = Encoding::MsgPack.encode(&p).unwrap().to_vec();
        body.push(0xc0);
        assert_eq!(Encoding::MsgPack.decode::<Probe>(&body).unwrap(), p);
    }

    #[test]
    fn a_body_that_is_not_the_type_is_invalid() {
        let e = Encoding::Json.decode_request::<Probe>(br#"{"id":1,"n":2}"#).unwrap_err();
        assert_eq!(e.kind(), CodecErrorKind::Invalid);
        assert!(e.to_string().starts_with("invalid type: integer `1`, expected a string"), "{e}");
        assert_eq!(Encoding::MsgPack.decode::<Probe>(b"\xc1").unwrap_err().kind(), CodecErrorKind::Invalid);
    }
}
