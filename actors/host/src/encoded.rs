//! Reply bodies a service keeps encoded: a value read far more often than it
//! changes is encoded once, when it is stored, not on every request.

use std::ops::Deref;
use std::sync::Arc;

use bytes::Bytes;
use chorus_nats::codec::CodecError;
use chorus_nats::Encoding;
use serde::Serialize;

/// What a handler may answer with: anything serializable, or an [`Encoded`].
pub trait ReplyBody {
    /// The reply in `encoding`.
    fn encode(&self, encoding: Encoding) -> Result<Bytes, CodecError>;
}

impl<T: Serialize> ReplyBody for T {
    fn encode(&self, encoding: Encoding) -> Result<Bytes, CodecError> {
        encoding.encode(self)
    }
}

/// A value together with its MessagePack encoding, the one most callers ask
/// for; JSON callers get it encoded on request. Cheap to clone.
#[derive(Debug)]
pub struct Encoded<T> {
    value: Arc<T>,
    /// `None` only if encoding failed when stored; then it is tried per reply.
    msgpack: Option<Bytes>,
}

impl<T: Serialize> Encoded<T> {
    /// Keep `value` and its MessagePack encoding.
    pub fn new(value: T) -> Self {
        let msgpack = Encoding::MsgPack.encode(&value).ok();
        Self { value: Arc::new(value), msgpack }
    }
}

impl<T: Serialize> ReplyBody for Encoded<T> {
    fn encode(&self, encoding: Encoding) -> Result<Bytes, CodecError> {
        match (&self.msgpack, encoding) {
            (Some(bytes), Encoding::MsgPack) => Ok(bytes.clone()),
            _ => encoding.encode(&*self.value),
        }
    }
}

impl<T> Deref for Encoded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Clone for Encoded<T> {
    fn clone(&self) -> Self {
        Self { value: self.value.clone(), msgpack: self.msgpack.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Song {
        title: String,
        plays: u32,
    }

    #[test]
    fn answers_as_the_value_would_in_either_encoding() {
        let song = || Song { title: "Ünder".into(), plays: 3 };
        let kept = Encoded::new(song());
        for encoding in [Encoding::MsgPack, Encoding::Json] {
            let body = ReplyBody::encode(&kept, encoding).unwrap();
            assert_eq!(body, ReplyBody::encode(&song(), encoding).unwrap());
            assert_eq!(encoding.decode::<Song>(&body).unwrap(), song());
        }
        assert_eq!(kept.title, "Ünder");
    }
}
