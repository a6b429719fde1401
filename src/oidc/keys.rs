//! Signing keys: generation, their public JWK, RFC 7638 `kid`, signatures and verification.
//! RS256 is the OIDC default every RP accepts; ES256 (≈ 17 µs a signature here) and EdDSA are
//! offered per client because RS256 (≈ 0.3 ms) dominates the token endpoint's CPU.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::secret::sha256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    RS256,
    ES256,
    EdDSA,
}

impl Alg {
    pub const ALL: [Alg; 3] = [Alg::RS256, Alg::ES256, Alg::EdDSA];

    pub fn as_str(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::ES256 => "ES256",
            Alg::EdDSA => "EdDSA",
        }
    }

    pub fn parse(s: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

enum Pair {
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

pub struct SigningKey {
    pub kid: String,
    pub alg: Alg,
    pair: Pair,
    pub public_jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).field("alg", &self.alg).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("signing key: {0}")]
pub struct KeyError(pub String);

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl SigningKey {
    /// A fresh key and its PKCS#8 document (to be sealed before it is stored).
    pub fn generate(alg: Alg) -> Result<(SigningKey, Vec<u8>), KeyError> {
        let err = |_| KeyError(format!("cannot generate an {} key", alg.as_str()));
        let pkcs8 = match alg {
            Alg::RS256 => aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048)
                .map_err(err)?
                .as_der()
                .map_err(err)?
                .as_ref()
                .to_vec(),
            Alg::ES256 => EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
                .map_err(err)?
                .to_pkcs8v1()
                .map_err(err)?
                .as_ref()
                .to_vec(),
            Alg::EdDSA => Ed25519KeyPair::generate().map_err(err)?.to_pkcs8().map_err(err)?.as_ref().to_vec(),
        };
        Ok((Self::from_pkcs8(alg, &pkcs8)?, pkcs8))
    }

    pub fn from_pkcs8(alg: Alg, pkcs8: &[u8]) -> Result<SigningKey, KeyError> {
        let err = |e: aws_lc_rs::error::KeyRejected| KeyError(format!("stored {} key is unusable: {e}", alg.as_str()));
        let (pair, jwk) = match alg {
            Alg::RS256 => {
                let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8).map_err(err)?;
                let public = pair.public_key();
                let jwk = json!({
                    "e": b64(public.exponent().big_endian_without_leading_zero()),
                    "kty": "RSA",
                    "n": b64(public.modulus().big_endian_without_leading_zero()),
                });
                (Pair::Rsa(pair), jwk)
            }
            Alg::ES256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).map_err(err)?;
                // Uncompressed SEC1 point: 0x04 ‖ x ‖ y.
                let point = pair.public_key().as_ref();
                let (x, y) = point.get(1..).unwrap_or_default().split_at_checked(32).unwrap_or_default();
                let jwk = json!({ "crv": "P-256", "kty": "EC", "x": b64(x), "y": b64(y) });
                (Pair::Ec(pair), jwk)
            }
            Alg::EdDSA => {
                let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(err)?;
                let x = b64(pair.public_key().as_ref());
                (Pair::Ed(pair), json!({ "crv": "Ed25519", "kty": "OKP", "x": x }))
            }
        };
        let kid = thumbprint(&jwk);
        let mut public_jwk = jwk;
        if let Some(obj) = public_jwk.as_object_mut() {
            obj.insert("kid".into(), Value::String(kid.clone()));
            obj.insert("alg".into(), Value::String(alg.as_str().into()));
            obj.insert("use".into(), Value::String("sig".into()));
        }
        Ok(SigningKey { kid, alg, pair, public_jwk })
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Rsa(pair) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(|_| KeyError("RS256 signing failed".into()))?;
                Ok(sig)
            }
            Pair::Ec(pair) => {
                Ok(pair.sign(&rng, message).map_err(|_| KeyError("ES256 signing failed".into()))?.as_ref().to_vec())
            }
            Pair::Ed(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }

    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match &self.pair {
            Pair::Rsa(pair) => {
                UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref())
                    .verify(message, sig)
                    .is_ok()
            }
            Pair::Ec(pair) => UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref())
                .verify(message, sig)
                .is_ok(),
            Pair::Ed(pair) => {
                UnparsedPublicKey::new(&signature::ED25519, pair.public_key().as_ref()).verify(message, sig).is_ok()
            }
        }
    }
}

/// RFC 7638: SHA-256 over the required members in lexicographic order, no white space.
/// `serde_json` keeps object keys sorted (no `preserve_order`), which is exactly that order.
fn thumbprint(required: &Value) -> String {
    b64(&sha256(required.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwk = json!({ "e": "AQAB", "kty": "RSA", "n": n });
        assert_eq!(thumbprint(&jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn every_alg_signs_and_verifies_and_round_trips_pkcs8() {
        for alg in Alg::ALL {
            let (key, pkcs8) = SigningKey::generate(alg).unwrap();
            let sig = key.sign(b"header.payload").unwrap();
            assert!(key.verify(b"header.payload", &sig), "{alg:?}");
            assert!(!key.verify(b"header.payload!", &sig), "{alg:?}");
            let again = SigningKey::from_pkcs8(alg, &pkcs8).unwrap();
            assert_eq!(again.kid, key.kid);
            assert_eq!(key.public_jwk["alg"], alg.as_str());
            assert!(key.public_jwk.get("d").is_none(), "no private part in the JWK");
        }
    }
}
