//! Secrets in memory and at rest: random tokens, their hashes, constant-time comparison.
//!
//! Reset tokens, codes, refresh tokens, client secrets and session ids are high-entropy random
//! values, so SHA-256 is the right hash for storing them (argon2 is for low-entropy passwords
//! and would cost ~18 ms on every token request).

use aws_lc_rs::{digest, hmac, rand};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// A value that must never reach a log line: `Debug` is written by hand.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// `n` random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // aws-lc's RNG only fails when the OS has no entropy source; nothing safe can continue then.
    if rand::fill(&mut out).is_err() {
        std::process::abort();
    }
    out
}

/// A URL-safe token with 256 bits of entropy.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A [`random_token`] behind the millisecond it was made (twelve hex digits and a dot). Tokens
/// made one after another sort together, so in the SQL ephemeral store, whose keys begin with
/// this part (see `Ephemeral::token_key`), each new token lands at the end of the key
/// index instead of in a random leaf page that every commit must write out whole. The time is no
/// secret: the client holding the token knows when it got it, and introspection says `iat`.
pub fn ordered_token(now_millis: i64) -> String {
    format!("{:012x}.{}", now_millis.clamp(0, 0xffff_ffff_ffff), random_token())
}

/// The sortable part of an [`ordered_token`], if `token` has its shape.
pub fn token_order(token: &str) -> Option<&str> {
    let (order, _) = token.split_once('.')?;
    (order.len() == 12 && order.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(order)
}

/// Whether `s` has the shape of a [`random_token`]: anything else a client sends in its place is
/// not looked up, and never echoed into a header.
pub fn is_random_token(s: &str) -> bool {
    s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A number of `digits` decimal digits, uniformly distributed (rejection sampling, no modulo bias).
pub fn random_digits(digits: u32) -> String {
    let bound = 10u64.pow(digits);
    let limit = u64::MAX - (u64::MAX % bound);
    loop {
        let n = u64::from_le_bytes(random_bytes::<8>());
        if n < limit {
            return format!("{:0width$}", n % bound, width = digits as usize);
        }
    }
}

/// `n` characters drawn uniformly from `alphabet` (at most 256 symbols): bytes that would
/// favour the first symbols (`256 % len` of them) are drawn again, so there is no modulo bias.
pub fn random_from(alphabet: &[u8], n: usize) -> String {
    let len = alphabet.len().clamp(1, 256);
    let limit = 256 - 256 % len;
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in random_bytes::<16>() {
            let b = usize::from(b);
            if b < limit && out.len() < n {
                out.push(char::from(alphabet.get(b % len).copied().unwrap_or(b'?')));
            }
        }
    }
    out
}

/// The storage form of a random token: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    hex(digest::digest(&digest::SHA256, token.as_bytes()).as_ref())
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

/// Lower-case hex, by arithmetic rather than `format!`: a token's key is hashed and hexed on
/// every request.
pub fn hex(bytes: &[u8]) -> String {
    fn digit(n: u8) -> char {
        char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
    }
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 0x0f));
    }
    s
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A keyed MAC used to bind values (CSRF tokens) to this deployment's secret key.
#[derive(Clone)]
pub struct Mac(hmac::Key);

impl Mac {
    pub fn new(key: &[u8]) -> Self {
        Mac(hmac::Key::new(hmac::HMAC_SHA256, key))
    }

    pub fn sign(&self, purpose: &str, value: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(purpose.as_bytes());
        ctx.update(&[0]);
        ctx.update(value.as_bytes());
        URL_SAFE_NO_PAD.encode(ctx.sign().as_ref())
    }

    pub fn verify(&self, purpose: &str, value: &str, tag: &str) -> bool {
        constant_time_eq(self.sign(purpose, value).as_bytes(), tag.as_bytes())
    }
}

impl std::fmt::Debug for Mac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mac([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x09, 0x0a, 0x7f, 0xa5, 0xff]), "00090a7fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn ordered_tokens_sort_by_their_millisecond_and_only_they_have_an_order() {
        let (a, b) = (ordered_token(1_764_670_000_123), ordered_token(1_764_670_000_124));
        assert!(a < b, "{a} {b}");
        assert_eq!(token_order(&a), Some("019ade874bfb"));
        assert_eq!(a.len(), 12 + 1 + 43);
        assert!(
            a.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_')),
            "URL- and header-safe"
        );
        assert_ne!(ordered_token(0).get(13..), ordered_token(0).get(13..), "the rest is random");
        for other in [
            random_token(),
            "eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.sig".into(),
            "019ddf1c2cfG.x".into(),
            "019ddf1c2cf.x".into(),
            "é".repeat(20),
        ] {
            assert_eq!(token_order(&other), None, "{other}");
        }
    }

    #[test]
    fn random_from_draws_every_symbol_evenly() {
        let alphabet = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        let mut counts = [0u32; 31];
        let draws = random_from(alphabet, 31 * 2000);
        for c in draws.bytes() {
            let i = alphabet.iter().position(|a| *a == c).unwrap();
            counts[i] += 1;
        }
        // Expected 2000 each; modulo bias would give the first 8 symbols ~2060 and the rest
        // ~1985. A uniform draw stays within ±250 with overwhelming probability.
        assert!(counts.iter().all(|n| (1750..=2250).contains(n)), "{counts:?}");
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret([redacted])");
    }

    #[test]
    fn tokens_are_unique_and_url_safe() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn digits_have_fixed_width() {
        for _ in 0..100 {
            let code = random_digits(6);
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn mac_binds_purpose_and_value() {
        let mac = Mac::new(b"k");
        let tag = mac.sign("csrf", "abc");
        assert!(mac.verify("csrf", "abc", &tag));
        assert!(!mac.verify("csrf", "abd", &tag));
        assert!(!mac.verify("other", "abc", &tag));
    }
}

/// AES-256-GCM under the key-encryption key: how signing keys rest in the database.
#[derive(Clone)]
pub struct Sealer(std::sync::Arc<aws_lc_rs::aead::LessSafeKey>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

impl Sealer {
    /// Any passphrase of 32+ characters; SHA-256 turns it into the AES key.
    pub fn new(kek: &str) -> Self {
        use aws_lc_rs::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
        let key = sha256(kek.as_bytes());
        // A 32-byte key is always valid for AES-256-GCM.
        let unbound = UnboundKey::new(&AES_256_GCM, &key).unwrap_or_else(|_| std::process::abort());
        Sealer(std::sync::Arc::new(LessSafeKey::new(unbound)))
    }

    /// base64url(nonce ‖ ciphertext ‖ tag); `purpose` is bound as associated data.
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> String {
        use aws_lc_rs::aead::{Aad, Nonce};
        let nonce_bytes = random_bytes::<12>();
        let mut buf = plain.to_vec();
        let nonce = Nonce::assume_unique_for_key(nonce_bytes);
        if self.0.seal_in_place_append_tag(nonce, Aad::from(purpose.as_bytes()), &mut buf).is_err() {
            std::process::abort();
        }
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&buf);
        URL_SAFE_NO_PAD.encode(out)
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        use aws_lc_rs::aead::{Aad, Nonce};
        let raw = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let (nonce, body) = raw.split_at_checked(12)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self.0.open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut body).ok()?;
        Some(plain.to_vec())
    }
}

#[cfg(test)]
mod sealer_tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_purpose() {
        let s = Sealer::new(&"k".repeat(32));
        let sealed = s.seal("signing-key", b"private");
        assert_eq!(s.open("signing-key", &sealed).unwrap(), b"private");
        assert!(s.open("other", &sealed).is_none());
        assert!(Sealer::new(&"x".repeat(32)).open("signing-key", &sealed).is_none());
        assert!(s.open("signing-key", "garbage").is_none());
    }
}
