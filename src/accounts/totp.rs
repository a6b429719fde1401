//! F2: RFC 6238 codes as every authenticator app computes them — HMAC-SHA-1, six digits, a
//! 30-second step — through the `totp-rs` crate. What this file adds is the step a code matched
//! (so the store can accept each step once) and the provisioning URI the QR code carries.

use totp_rs::{Algorithm, TOTP};

use crate::secret::constant_time_eq;

pub const STEP: i64 = 30;
const DIGITS: usize = 6;
/// ±1 step of clock drift between the phone and Lanyard (RFC 6238 §5.2's recommendation).
const DRIFT: i64 = 1;
/// 160 bits, the length RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;

fn totp(secret: &[u8]) -> Option<TOTP> {
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP.unsigned_abs(), secret.to_vec()).ok()
}

/// The code for the step containing `time` (Unix seconds).
pub fn code_at(secret: &[u8], time: i64) -> Option<String> {
    Some(totp(secret)?.generate(u64::try_from(time).ok()?))
}

/// The time step `code` belongs to, if it is the code of the current step or of one step
/// either side. Every candidate is computed and compared in constant time.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now.div_euclid(STEP);
    let mut found = None;
    for step in current - DRIFT..=current + DRIFT {
        let expected = code_at(secret, step * STEP)?;
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The secret as the person types it by hand (RFC 4648 base32, no padding).
pub fn base32(secret: &[u8]) -> String {
    match totp_rs::Secret::Raw(secret.to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(s) => s.trim_end_matches('=').to_string(),
        totp_rs::Secret::Raw(_) => String::new(),
    }
}

/// The `otpauth://` URI of Google's Key URI Format, which every authenticator app reads from a
/// QR code: `issuer` names Lanyard's deployment, `account` the person.
pub fn provisioning_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 column (the 20-byte ASCII seed), last six digits.
    #[test]
    fn f2_rfc_6238_test_vectors() {
        let seed = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(seed, time).as_deref(), Some(code), "T = {time}");
        }
    }

    #[test]
    fn f2_one_step_of_drift_either_way_and_no_more() {
        let seed = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = now / STEP;
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(seed, (step + offset) * STEP).unwrap();
            assert_eq!(matching_step(seed, &code, now), accepted.then_some(step + offset), "offset {offset}");
        }
        assert_eq!(matching_step(seed, "12345", now), None);
        assert_eq!(matching_step(seed, "abcdef", now), None);
    }

    #[test]
    fn f2_the_uri_carries_the_secret_in_base32() {
        let uri = provisioning_uri("Lanyard", "ACME/alice", b"12345678901234567890");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(uri.starts_with("otpauth://totp/Lanyard:ACME%2Falice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"));
    }
}
