//! Poly1305 (RFC 8439), the one-time authenticator of NaCl's box.
//!
//! Written here because no crate in the build provides it (nkeys' `xkeys`
//! feature would pull `crypto_box` and rebuild async-nats and SurrealDB).
//! The 26-bit-limb form of poly1305-donna: every product fits a `u64`.

const MASK: u32 = 0x3ff_ffff;

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// The tag of `message` under the one-time `key` (r ‖ s).
pub(crate) fn tag(key: &[u8; 32], message: &[u8]) -> [u8; 16] {
    let r0 = le32(&key[0..]) & 0x3ff_ffff;
    let r1 = (le32(&key[3..]) >> 2) & 0x3ff_ff03;
    let r2 = (le32(&key[6..]) >> 4) & 0x3ff_c0ff;
    let r3 = (le32(&key[9..]) >> 6) & 0x3f0_3fff;
    let r4 = (le32(&key[12..]) >> 8) & 0x00f_ffff;
    let (s1, s2, s3, s4) = (r1 * 5, r2 * 5, r3 * 5, r4 * 5);
    let (r0, r1, r2, r3, r4) = (r0 as u64, r1 as u64, r2 as u64, r3 as u64, r4 as u64);
    let (s1, s2, s3, s4) = (s1 as u64, s2 as u64, s3 as u64, s4 as u64);
    let (mut h0, mut h1, mut h2, mut h3, mut h4) = (0u32, 0u32, 0u32, 0u32, 0u32);

    for chunk in message.chunks(16) {
        // A block is its bytes and then a 1: at bit 128 for a full block, right
        // after the bytes for the shorter last one.
        let mut block = [0u8; 17];
        block[..chunk.len()].copy_from_slice(chunk);
        block[chunk.len()] = 1;
        h0 += le32(&block[0..]) & MASK;
        h1 += (le32(&block[3..]) >> 2) & MASK;
        h2 += (le32(&block[6..]) >> 4) & MASK;
        h3 += (le32(&block[9..]) >> 6) & MASK;
        h4 += (le32(&block[12..]) >> 8) | ((block[16] as u32) << 24);

        let (a0, a1, a2, a3, a4) = (h0 as u64, h1 as u64, h2 as u64, h3 as u64, h4 as u64);
        let d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        let mut d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        let mut d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        let mut d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        let mut d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

        d1 += d0 >> 26;
        h0 = d0 as u32 & MASK;
        d2 += d1 >> 26;
        h1 = d1 as u32 & MASK;
        d3 += d2 >> 26;
        h2 = d2 as u32 & MASK;
        d4 += d3 >> 26;
        h3 = d3 as u32 & MASK;
        let carry = (d4 >> 26) as u32;
        h4 = d4 as u32 & MASK;
        h0 += carry * 5;
        h1 += h0 >> 26;
        h0 &= MASK;
    }

    // Fully carry h, then subtract p = 2^130 - 5 if h >= p (in constant time).
    let mut c;
    c = h1 >> 26;
    h1 &= MASK;
    h2 += c;
    c = h2 >> 26;
    h2 &= MASK;
    h3 += c;
    c = h3 >> 26;
    h3 &= MASK;
    h4 += c;
    c = h4 >> 26;
    h4 &= MASK;
    h0 += c * 5;
    c = h0 >> 26;
    h0 &= MASK;
    h1 += c;

    let mut g0 = h0.wrapping_add(5);
    c = g0 >> 26;
    g0 &= MASK;
    let mut g1 = h1.wrapping_add(c);
    c = g1 >> 26;
    g1 &= MASK;
    let mut g2 = h2.wrapping_add(c);
    c = g2 >> 26;
    g2 &= MASK;
    let mut g3 = h3.wrapping_add(c);
    c = g3 >> 26;
    g3 &= MASK;
    let g4 = h4.wrapping_add(c).wrapping_sub(1 << 26);

    // g4's top bit is set when h < p: keep h then, else take g.
    let keep_g = (g4 >> 31).wrapping_sub(1);
    let keep_h = !keep_g;
    h0 = (h0 & keep_h) | (g0 & keep_g);
    h1 = (h1 & keep_h) | (g1 & keep_g);
    h2 = (h2 & keep_h) | (g2 & keep_g);
    h3 = (h3 & keep_h) | (g3 & keep_g);
    h4 = (h4 & keep_h) | (g4 & keep_g);

    // h mod 2^128, plus s.
    let w0 = h0 | (h1 << 26);
    let w1 = (h1 >> 6) | (h2 << 20);
    let w2 = (h2 >> 12) | (h3 << 14);
    let w3 = (h3 >> 18) | (h4 << 8);
    let mut out = [0u8; 16];
    let mut f = 0u64;
    for (i, w) in [w0, w1, w2, w3].into_iter().enumerate() {
        f = w as u64 + le32(&key[16 + 4 * i..]) as u64 + (f >> 32);
        out[4 * i..4 * i + 4].copy_from_slice(&(f as u32).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn rfc_8439_vector() {
        let key: [u8; 32] = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b").try_into().unwrap();
        assert_eq!(tag(&key, b"Cryptographic Forum Research Group").to_vec(), hex("a8061dc1305136c6c22b8baf0c0127a9"));
    }

    #[test]
    fn edge_cases_of_the_final_reduction() {
        // RFC 8439 appendix A.3, vectors 1 and 5: all-zero key, and h reaching p.
        assert_eq!(tag(&[0; 32], &[0; 64]), [0; 16]);
        let mut key = [0u8; 32];
        key[0] = 2;
        assert_eq!(tag(&key, &[0xff; 16]).to_vec(), hex("03000000000000000000000000000000"));
    }
}
