//! What the host reads from a request's headers before any handler runs:
//! the deadline, trace context, content type and `Chorus-Min-Seq`
//! (`RequestCtx::from_message`), and the bearer token, verified as every
//! instance verifies it (key id, signature, claims, expiry).
//!
//! Input: header lines `Name: value`; a line `sign: <claims>` is replaced by
//! an `Authorization` header with a token whose payload is `<claims>`, signed
//! with the trusted key, so the claims decoder behind the signature is
//! reached too.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use async_nats::header::{HeaderMap, HeaderName, HeaderValue};
use chorus_host::auth::trust::Trust;
use chorus_host::RequestCtx;
use ed25519_dalek::{Signer as _, SigningKey};
use libfuzzer_sys::fuzz_target;

const KID: &str = "fuzz";

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[7; 32]))
}

fn trust() -> &'static Trust {
    static TRUST: OnceLock<Trust> = OnceLock::new();
    TRUST.get_or_init(|| {
        let trust = Trust::default();
        trust.add_key(KID, key().verifying_key());
        trust
    })
}

/// A token with `claims` as its payload, signed with the trusted key.
fn signed(claims: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine as _;
    let header = format!(r#"{{"alg":"EdDSA","typ":"JWT","kid":"{KID}"}}"#);
    let token = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let signature = key().sign(token.as_bytes());
    format!("{token}.{}", B64.encode(signature.to_bytes()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut headers = HeaderMap::new();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim_start();
        let (name, value) = match name {
            "sign" => ("Authorization".to_string(), format!("Bearer {}", signed(value))),
            _ => (name.to_string(), value.to_string()),
        };
        let (Ok(name), Ok(value)) = (name.parse::<HeaderName>(), value.parse::<HeaderValue>()) else { continue };
        headers.append(name, value);
    }
    let mut msg = async_nats::Message {
        subject: chorus_nats::subjects::catalog::track_get().subject().into(),
        reply: Some("_INBOX.fuzz".into()),
        payload: bytes::Bytes::new(),
        headers: Some(headers),
        status: None,
        description: None,
        length: 0,
    };
    let ctx = RequestCtx::from_message(&mut msg, Duration::from_secs(10));
    let _ = ctx.expired();
    if let Some(token) = ctx.token() {
        let _ = chorus_host::auth::token::key_id(token);
        let _ = trust().verify(token, 1_800_000_000);
    }
});
