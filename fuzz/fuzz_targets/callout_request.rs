//! The auth callout's reading of nats-server's authorization request: a NATS
//! JWT (three base64url parts, signed by the server's nkey), plain or sealed
//! to our xkey. Input: the first byte chooses plain, sealed (opened with our
//! key, the sender named by the header) or a JWT signed here around the rest
//! (so the claim checks behind the signature are reached).
#![no_main]

use std::sync::OnceLock;

use chorus_callout::nats_jwt;
use chorus_callout::request::RequestReader;
use chorus_callout::xkey::XKey;
use libfuzzer_sys::fuzz_target;
use nkeys::KeyPair;

struct Keys {
    account: KeyPair,
    server: KeyPair,
    plain: RequestReader,
    sealed: RequestReader,
    server_xkey: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (account, server) = (KeyPair::new_account(), KeyPair::new_server());
        let plain = RequestReader::new(account.public_key(), vec![], None);
        let sealed = RequestReader::new(account.public_key(), vec![server.public_key()], Some(XKey::generate()));
        Keys { account, server, plain, sealed, server_xkey: XKey::generate().public_key() }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let k = keys();
    let now = 1_800_000_000;
    match mode % 3 {
        0 => {
            let _ = k.plain.read(rest, None, now);
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = nats_jwt::decode(text);
            }
        }
        1 => {
            let _ = k.sealed.read(rest, Some(&k.server_xkey), now);
        }
        _ => {
            // The rest as claims (JSON), issued by the server key and signed by it.
            let Ok(mut claims) = serde_json::from_slice::<serde_json::Value>(rest) else { return };
            if let Some(object) = claims.as_object_mut() {
                object.insert("iss".into(), k.server.public_key().into());
                object.entry("sub").or_insert_with(|| k.account.public_key().into());
            }
            let Ok(jwt) = nats_jwt::encode(&claims, &k.server) else { return };
            let _ = k.plain.read(jwt.as_bytes(), None, now);
        }
    }
});
