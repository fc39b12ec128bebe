//! Reply bodies a service keeps encoded: a value read far more often than it
//! changes is encoded once, when it is stored, not on every request.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use bytes::Bytes;
use chorus_nats::codec::CodecError;
use chorus_nats::messages::ListPage;
use chorus_nats::Encoding;
use serde::de::DeserializeOwned;
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

/// A value kept as its MessagePack encoding only, in an allocation of its
/// exact size: the least memory a value kept for reads can take. A read
/// that needs its fields decodes it; one that answers with it (in
/// MessagePack) copies nothing. Cheap to clone.
pub struct Packed<T> {
    msgpack: Bytes,
    of: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> Packed<T> {
    /// Keep `value` encoded.
    pub fn new(value: &T) -> Result<Self, CodecError> {
        // The encoder's buffer starts larger than most values: copied to fit.
        let msgpack = Bytes::copy_from_slice(&Encoding::MsgPack.encode(value)?);
        Ok(Self { msgpack, of: PhantomData })
    }

    /// Keep `msgpack`, the encoding of a `T` as [`Packed::bytes`] gave it
    /// (read back from where it was saved), after checking that it decodes;
    /// returns the value too.
    pub fn from_kept(msgpack: Bytes) -> Result<(T, Self), CodecError> {
        let value = Encoding::MsgPack.decode(&msgpack)?;
        Ok((value, Self { msgpack, of: PhantomData }))
    }

    /// The value.
    pub fn decode(&self) -> Result<T, CodecError> {
        Encoding::MsgPack.decode(&self.msgpack)
    }

    /// The encoding kept.
    pub fn bytes(&self) -> &Bytes {
        &self.msgpack
    }
}

impl<T> Clone for Packed<T> {
    fn clone(&self) -> Self {
        Self { msgpack: self.msgpack.clone(), of: PhantomData }
    }
}

impl<T: Serialize + DeserializeOwned> ReplyBody for Packed<T> {
    fn encode(&self, encoding: Encoding) -> Result<Bytes, CodecError> {
        match encoding {
            Encoding::MsgPack => Ok(self.msgpack.clone()),
            Encoding::Json => encoding.encode(&self.decode()?),
        }
    }
}

/// A page of a list (a [`ListPage`] reply) whose values are kept encoded.
/// In MessagePack their own encodings are spliced in, so a page costs
/// copies, not an encoding (nor a clone) of each value; JSON callers get
/// it as serde writes the page.
pub struct EncodedPage<P: ListPage> {
    items: Vec<Packed<P::Item>>,
    next: Option<String>,
}

impl<P: ListPage> EncodedPage<P> {
    /// The page: `items`, and the cursor of the next page.
    pub fn new(items: Vec<Packed<P::Item>>, next: Option<String>) -> Self {
        Self { items, next }
    }
}

impl<P: ListPage> ReplyBody for EncodedPage<P>
where
    P::Item: Serialize + DeserializeOwned,
{
    fn encode(&self, encoding: Encoding) -> Result<Bytes, CodecError> {
        match encoding {
            Encoding::MsgPack => Ok(self.spliced()),
            Encoding::Json => {
                let values = self.items.iter().map(Packed::decode).collect::<Result<Vec<_>, _>>()?;
                encoding.encode(&Plain::<P> { values, next: &self.next })
            }
        }
    }
}

impl<P: ListPage> EncodedPage<P> {
    /// `{FIELD: [...], next}` as `rmp_serde::encode::write_named` writes a struct.
    fn spliced(&self) -> Bytes {
        use rmp::encode::{write_array_len, write_map_len, write_nil, write_str};
        let mut out = Vec::with_capacity(32 + self.items.iter().map(|i| i.msgpack.len()).sum::<usize>());
        // Writes to a Vec do not fail; a page's lengths are far under u32.
        let _ = write_map_len(&mut out, 2);
        let _ = write_str(&mut out, P::FIELD);
        let _ = write_array_len(&mut out, self.items.len() as u32);
        for item in &self.items {
            out.extend_from_slice(&item.msgpack);
        }
        let _ = write_str(&mut out, "next");
        match &self.next {
            Some(next) => drop(write_str(&mut out, next)),
            None => drop(write_nil(&mut out)),
        }
        Bytes::from(out)
    }
}

/// The page as serde writes it.
struct Plain<'a, P: ListPage> {
    values: Vec<P::Item>,
    next: &'a Option<String>,
}

impl<P: ListPage> Serialize for Plain<'_, P>
where
    P::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut page = s.serialize_struct("Page", 2)?;
        page.serialize_field(P::FIELD, &self.values)?;
        page.serialize_field("next", self.next)?;
        page.end()
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
        let packed = Packed::new(&song()).unwrap();
        for encoding in [Encoding::MsgPack, Encoding::Json] {
            assert_eq!(ReplyBody::encode(&packed, encoding).unwrap(), ReplyBody::encode(&song(), encoding).unwrap());
        }
        assert_eq!(packed.decode().unwrap(), song());
    }

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct SongPage {
        songs: Vec<Song>,
        next: Option<String>,
    }

    impl ListPage for SongPage {
        type Item = Song;
        const FIELD: &'static str = "songs";
    }

    #[test]
    fn a_spliced_page_is_the_page_serde_writes() {
        let songs = |n: u32| -> Vec<Song> {
            (0..n).map(|i| Song { title: format!("song {i} ").repeat(i as usize), plays: i }).collect()
        };
        // Past the short forms of MessagePack's array and string headers too.
        for (n, next) in [(0, None), (3, Some("cursor".to_string())), (40, Some("x".repeat(300))), (17, None)] {
            let kept = songs(n).iter().map(|s| Packed::new(s).unwrap()).collect();
            let page = EncodedPage::<SongPage>::new(kept, next.clone());
            let plain = SongPage { songs: songs(n), next };
            for encoding in [Encoding::MsgPack, Encoding::Json] {
                let body = ReplyBody::encode(&page, encoding).unwrap();
                assert_eq!(body, ReplyBody::encode(&plain, encoding).unwrap(), "{n} songs, {encoding:?}");
                assert_eq!(encoding.decode::<SongPage>(&body).unwrap(), plain);
            }
        }
    }
}
