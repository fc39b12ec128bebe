//! Every request decoder: the first byte picks an endpoint (every one in
//! `subjects.md`, through the endpoint tables) and an encoding, the rest is
//! the body, decoded strictly as the host decodes a request. Whatever
//! decodes must encode again and decode to the same value.
#![no_main]

use chorus_nats::request::Visitor;
use chorus_nats::{Encoding, Request};
use libfuzzer_sys::fuzz_target;

/// Decodes `body` as the `pick`-th request type.
struct Decode<'a> {
    pick: usize,
    seen: usize,
    encoding: Encoding,
    body: &'a [u8],
}

impl Visitor for Decode<'_> {
    fn visit<R: Request>(&mut self) {
        self.seen += 1;
        if self.seen - 1 != self.pick {
            return;
        }
        let Ok(request) = self.encoding.decode_request::<R>(self.body) else { return };
        let again = self.encoding.encode(&request).expect("a decoded request encodes");
        let back: R = self.encoding.decode_request(&again).expect("an encoded request decodes");
        assert_eq!(
            serde_json::to_value(&back).expect("to JSON"),
            serde_json::to_value(&request).expect("to JSON"),
            "a request changed through encode and decode ({})",
            R::ENDPOINT.subject()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let endpoints = chorus_nats::subjects::all().len();
    let encoding = if first & 0x80 == 0 { Encoding::Json } else { Encoding::MsgPack };
    let mut decode = Decode { pick: usize::from(first & 0x7f) % endpoints, seen: 0, encoding, body };
    chorus_nats::subjects::visit(&mut decode);
});
