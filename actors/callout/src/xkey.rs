//! Curve keys ("xkeys") and the sealed messages nats-server exchanges with an
//! auth callout when its `auth_callout` block names an `xkey`.
//!
//! A sealed message is `xkv1`, a 24-byte nonce, then NaCl's
//! `crypto_box(curve25519, xsalsa20, poly1305)` of the plaintext (16-byte
//! tag first), as `nkeys` (Go and Rust) seal it. nkeys' Rust `xkeys` feature
//! would pull `crypto_box` and rebuild async-nats and SurrealDB, so the box
//! is assembled here from what the build already has: X25519 from
//! curve25519-dalek, HSalsa20 and XSalsa20 from salsa20, Poly1305 in
//! [`crate::poly1305`].

use anyhow::Context as _;
use curve25519_dalek::montgomery::MontgomeryPoint;
use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit as _, StreamCipher as _};
use salsa20::XSalsa20;
use subtle::ConstantTimeEq as _;

use crate::poly1305;

const VERSION: &[u8] = b"xkv1";
const NONCE: usize = 24;
const TAG: usize = 16;
/// nkeys' prefix byte of a curve key (`X…`).
const PREFIX_CURVE: u8 = 23 << 3;
/// nkeys' prefix byte of a seed (`S…`).
const PREFIX_SEED: u8 = 18 << 3;

/// A curve key pair: ours, from `[auth.callout] xkey_seed`.
pub struct XKey {
    secret: [u8; 32],
    public: [u8; 32],
}

impl XKey {
    /// From an nkeys curve seed (`SX…`).
    pub fn from_seed(seed: &str) -> anyhow::Result<Self> {
        let (kind, secret) = nkeys::decode_seed(seed.trim()).context("not an nkeys seed")?;
        anyhow::ensure!(kind == PREFIX_CURVE, "not a curve (xkey) seed: it should start with SX");
        Ok(Self { secret, public: MontgomeryPoint::mul_base_clamped(secret).to_bytes() })
    }

    /// A new random one.
    pub fn generate() -> Self {
        let secret: [u8; 32] = rand::random();
        Self { secret, public: MontgomeryPoint::mul_base_clamped(secret).to_bytes() }
    }

    /// The public key as nats-server's config names it (`X…`).
    pub fn public_key(&self) -> String {
        encode(&[PREFIX_CURVE], &self.public)
    }

    /// The seed (`SX…`), a secret.
    pub fn seed(&self) -> String {
        encode(&[PREFIX_SEED | (PREFIX_CURVE >> 5), (PREFIX_CURVE & 31) << 3], &self.secret)
    }

    /// `sealed`, opened: it must come from `sender` (an `X…` public key) to us.
    pub fn open(&self, sealed: &[u8], sender: &str) -> anyhow::Result<Vec<u8>> {
        let sender = public_key(sender)?;
        let rest = sealed.strip_prefix(VERSION).context("not an xkv1 sealed message")?;
        anyhow::ensure!(rest.len() >= NONCE + TAG, "sealed message too short");
        let (nonce, rest) = rest.split_at(NONCE);
        let (tag, ciphertext) = rest.split_at(TAG);
        let mut cipher = self.cipher(&sender, nonce);
        let mut one_time_key = [0u8; 32];
        cipher.apply_keystream(&mut one_time_key);
        let expected = poly1305::tag(&one_time_key, ciphertext);
        anyhow::ensure!(bool::from(expected.ct_eq(tag)), "sealed message does not authenticate");
        let mut plaintext = ciphertext.to_vec();
        cipher.apply_keystream(&mut plaintext);
        Ok(plaintext)
    }

    /// `plaintext`, sealed from us to `recipient` (an `X…` public key).
    pub fn seal(&self, plaintext: &[u8], recipient: &str) -> anyhow::Result<Vec<u8>> {
        let recipient = public_key(recipient)?;
        let nonce: [u8; NONCE] = rand::random();
        Ok(self.seal_with_nonce(plaintext, &recipient, &nonce))
    }

    fn seal_with_nonce(&self, plaintext: &[u8], recipient: &[u8; 32], nonce: &[u8; NONCE]) -> Vec<u8> {
        let mut cipher = self.cipher(recipient, nonce);
        let mut one_time_key = [0u8; 32];
        cipher.apply_keystream(&mut one_time_key);
        let mut ciphertext = plaintext.to_vec();
        cipher.apply_keystream(&mut ciphertext);
        let mut out = Vec::with_capacity(VERSION.len() + NONCE + TAG + ciphertext.len());
        out.extend_from_slice(VERSION);
        out.extend_from_slice(nonce);
        out.extend_from_slice(&poly1305::tag(&one_time_key, &ciphertext));
        out.extend_from_slice(&ciphertext);
        out
    }

    /// XSalsa20 keyed by HSalsa20 of the X25519 shared secret (NaCl's
    /// `crypto_box_beforenm`); its first 32 bytes key Poly1305.
    fn cipher(&self, peer: &[u8; 32], nonce: &[u8]) -> XSalsa20 {
        let shared = MontgomeryPoint(*peer).mul_clamped(self.secret).to_bytes();
        let key = salsa20::hsalsa::<U10>(&shared.into(), &[0u8; 16].into());
        XSalsa20::new(&key, nonce.into())
    }
}

/// The 32 bytes of an `X…` public key.
fn public_key(key: &str) -> anyhow::Result<[u8; 32]> {
    let (kind, bytes) = nkeys::from_public_key(key.trim()).context("not an nkeys public key")?;
    anyhow::ensure!(kind == PREFIX_CURVE, "not a curve (xkey) public key: it should start with X");
    Ok(bytes)
}

/// nkeys' text form: base32 (no padding) of the prefix, the key and a
/// CRC-16/XMODEM, little-endian.
fn encode(prefix: &[u8], key: &[u8; 32]) -> String {
    let mut raw = [prefix, key.as_slice()].concat();
    let crc = raw.iter().fold(0u16, |crc, &b| {
        (0..8).fold(crc ^ ((b as u16) << 8), |c, _| if c & 0x8000 != 0 { (c << 1) ^ 0x1021 } else { c << 1 })
    });
    raw.extend_from_slice(&crc.to_le_bytes());
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(raw.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0);
    for byte in raw {
        buffer = (buffer << 8) | byte as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[(buffer >> bits) as usize & 31] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[(buffer << (5 - bits)) as usize & 31] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn key(secret: &str) -> XKey {
        let secret: [u8; 32] = hex(secret).try_into().unwrap();
        XKey { secret, public: MontgomeryPoint::mul_base_clamped(secret).to_bytes() }
    }

    // NaCl's box test vector (as crypto_box and PHP's sodium_compat test it).
    const ALICE: &str = "68f208412d8dd5db9d0c6d18512e86f0ec75665ab841372d57b042b27ef89d4c";
    const BOB: &str = "b581fb5ae182a16f603f39270d4e3b95bc008310b727a11dd4e784a0044d461b";
    const NONCE_HEX: &str = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37";
    const PLAIN: &str = "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705";
    const BOXED: &str = "c03f27d188ef650cd12936913137bb17ed4c98c2648939e2e1d2e855470a7b8c632cabfd5ab3b3c2d313dc8c9ecf5da173e1f9c318cdef1dced6d2519e695085e6b5c401a2bd5331442986c7076d412625497c4cb2fd94c6f103961033b2c930d7e82e0341f29d3879bd6ab9d881ea3a1f365d634e653c6e171aac7fc1e76934d23be6f04a54010808dbf0f9bd30f63b68d026";

    #[test]
    fn seals_as_nacl_box_does() {
        let (alice, bob) = (key(ALICE), key(BOB));
        assert_eq!(alice.public.to_vec(), hex("ac3a70ba35df3c3fae427a7c72021d68f2c1e044040b75f17313c0c8b5d4241d"));
        let nonce: [u8; 24] = hex(NONCE_HEX).try_into().unwrap();
        let sealed = alice.seal_with_nonce(&hex(PLAIN), &bob.public, &nonce);
        let boxed = hex(BOXED);
        assert_eq!(&sealed[..4], b"xkv1");
        assert_eq!(&sealed[4..28], nonce.as_slice());
        assert_eq!(&sealed[28..], boxed.as_slice());
        assert_eq!(bob.open(&sealed, &alice.public_key()).unwrap(), hex(PLAIN));
    }

    #[test]
    fn tampering_and_the_wrong_sender_do_not_open() {
        let (ours, server, other) = (XKey::generate(), XKey::generate(), XKey::generate());
        let sealed = server.seal(b"eyJ0eXAi", &ours.public_key()).unwrap();
        assert_eq!(ours.open(&sealed, &server.public_key()).unwrap(), b"eyJ0eXAi");
        assert!(ours.open(&sealed, &other.public_key()).is_err());
        for i in [0, 5, 30, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(ours.open(&bad, &server.public_key()).is_err(), "byte {i}");
        }
        assert!(ours.open(b"xkv1short", &server.public_key()).is_err());
    }

    #[test]
    fn keys_read_and_write_as_nkeys_text() {
        let key = XKey::generate();
        let (public, seed) = (key.public_key(), key.seed());
        assert!(public.starts_with('X') && public.len() == 56, "{public}");
        assert!(seed.starts_with("SX") && seed.len() == 58, "{seed}");
        assert_eq!(XKey::from_seed(&seed).unwrap().public_key(), public);
        assert_eq!(public_key(&public).unwrap(), key.public);
        // An account seed is not a curve seed, nor an account key a curve key.
        let account = nkeys::KeyPair::new_account();
        assert!(XKey::from_seed(&account.seed().unwrap()).is_err());
        assert!(public_key(&account.public_key()).is_err());
    }
}
