//! RFC 9449 §4: a DPoP proof — a JWT the client signs with a key of its own, naming the request
//! it goes with — read and checked (§4.3), and the key's RFC 7638 thumbprint (`jkt`), which
//! binds codes and tokens to that key. The nonce and the replay check need the stores:
//! `dpop_check` does them at the endpoints.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::jws::Compact;
use crate::domain::client_keys::check_jwks;
use crate::secret::{constant_time_eq, sha256};

/// The algorithms a proof may be signed with: FAPI 2.0's three (no legacy to keep RS256 for).
pub const DPOP_ALGS: [&str; 3] = ["ES256", "PS256", "EdDSA"];
/// The longest proof read at all (an 8192-bit RSA key in its header fits).
const MAX_PROOF: usize = 8192;
/// How old a proof may be: with a server nonce its freshness is the nonce's; without, this.
pub const MAX_AGE: i64 = 300;
/// How far ahead of our clock `iat` may be.
pub const SKEW: i64 = 10;
const MAX_JTI: usize = 256;
const MAX_NONCE: usize = 256;

/// The request a proof must describe (§4.3 steps 8–12).
pub struct Request<'a> {
    pub method: &'a str,
    /// The endpoint's URL, as the client is told it (the issuer's base, not our listener's).
    pub url: &'a str,
    /// At a resource: the access token presented with it (`ath`).
    pub access_token: Option<&'a str>,
    pub now: i64,
}

/// A proof that passed every check of its own.
#[derive(Debug)]
pub struct Proof {
    /// The thumbprint of the key that signed it.
    pub jkt: String,
    pub jti: String,
    pub nonce: Option<String>,
}

/// `proof` checked for `req`; `Err` says why, in words fit for `error_description`.
pub fn check(proof: &str, req: &Request) -> Result<Proof, &'static str> {
    let jws = Compact::read(proof, MAX_PROOF).ok_or("the DPoP proof is not a JWT")?;
    if jws.header_text("typ") != Some("dpop+jwt") {
        return Err("the DPoP proof's typ must be dpop+jwt");
    }
    let alg = jws.header_text("alg").unwrap_or_default();
    if !DPOP_ALGS.contains(&alg) {
        return Err("the DPoP proof's algorithm is not accepted");
    }
    if jws.header.get("crit").is_some() {
        return Err("critical header extensions are not understood");
    }
    let key = jws.header.get("jwk").ok_or("the DPoP proof carries no jwk")?;
    // One public key of a kind and size Lanyard verifies; never a private one.
    check_jwks(&json!({ "keys": [key] })).map_err(|_| "the DPoP proof's jwk is not a usable public key")?;
    let jti = jws.text("jti").filter(|j| !j.is_empty() && j.len() <= MAX_JTI).ok_or("the DPoP proof needs a jti")?;
    if jws.text("htm") != Some(req.method) {
        return Err("the DPoP proof's htm is not this request's method");
    }
    if !same_target(jws.text("htu").unwrap_or_default(), req.url) {
        return Err("the DPoP proof's htu is not this endpoint");
    }
    // A NumericDate may have a fraction (RFC 7519 §2).
    let iat = jws
        .claims
        .get("iat")
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)));
    let iat = iat.ok_or("the DPoP proof needs an iat")?;
    if iat > req.now + SKEW || iat < req.now - MAX_AGE {
        return Err("the DPoP proof's iat is too far from now");
    }
    if let Some(token) = req.access_token {
        let expected = URL_SAFE_NO_PAD.encode(sha256(token.as_bytes()));
        if !jws.text("ath").is_some_and(|ath| constant_time_eq(ath.as_bytes(), expected.as_bytes())) {
            return Err("the DPoP proof's ath is not this access token's hash");
        }
    }
    let nonce = match jws.claims.get("nonce") {
        None => None,
        Some(Value::String(n)) if !n.is_empty() && n.len() <= MAX_NONCE => Some(n.clone()),
        Some(_) => return Err("the DPoP proof's nonce is malformed"),
    };
    if !jws.verified_by(key, alg) {
        return Err("the DPoP proof's signature does not verify with its jwk");
    }
    Ok(Proof { jkt: thumbprint(key).ok_or("the DPoP proof's jwk has no thumbprint")?, jti: jti.to_string(), nonce })
}

/// §4.3 step 9: the same URL, ignoring query and fragment (scheme and host compared as URLs
/// compare them: case-insensitively, default ports implied).
fn same_target(htu: &str, url: &str) -> bool {
    let bare = |u: &str| {
        url::Url::parse(u).ok().map(|mut u| {
            u.set_query(None);
            u.set_fragment(None);
            u
        })
    };
    matches!((bare(htu), bare(url)), (Some(a), Some(b)) if a == b)
}

/// RFC 7638: SHA-256 over the key's required members in lexicographic order, base64url.
pub fn thumbprint(key: &Value) -> Option<String> {
    let member = |name: &str| key.get(name).and_then(Value::as_str).map(|v| Value::from(v).to_string());
    let canonical = match key.get("kty").and_then(Value::as_str)? {
        "RSA" => format!(r#"{{"e":{},"kty":"RSA","n":{}}}"#, member("e")?, member("n")?),
        "EC" => format!(r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#, member("crv")?, member("x")?, member("y")?),
        "OKP" => format!(r#"{{"crv":{},"kty":"OKP","x":{}}}"#, member("crv")?, member("x")?),
        _ => return None,
    };
    Some(URL_SAFE_NO_PAD.encode(sha256(canonical.as_bytes())))
}

/// A `dpop_jkt` as an authorization request may carry it: a base64url SHA-256.
pub fn valid_jkt(jkt: &str) -> bool {
    super::pkce::valid_challenge(jkt)
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    use proptest::prelude::*;

    use super::*;

    const NOW: i64 = 1_800_000_000;
    const URL: &str = "https://id.example/token";

    fn key_of(pair: &Ed25519KeyPair) -> Value {
        json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref())})
    }

    fn signed(pair: &Ed25519KeyPair, header: &Value, claims: &Value) -> String {
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(pair.sign(input.as_bytes()).as_ref()))
    }

    fn proof_with(pair: &Ed25519KeyPair, edit: impl FnOnce(&mut Value, &mut Value)) -> String {
        let mut header = json!({"typ": "dpop+jwt", "alg": "EdDSA", "jwk": key_of(pair)});
        let mut claims = json!({"jti": "j1", "htm": "POST", "htu": URL, "iat": NOW});
        edit(&mut header, &mut claims);
        signed(pair, &header, &claims)
    }

    fn at_token(access_token: Option<&str>) -> Request<'_> {
        Request { method: "POST", url: URL, access_token, now: NOW }
    }

    #[test]
    fn rfc7638_example_thumbprint() {
        let key = json!({"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
        assert_eq!(thumbprint(&key).unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn a_good_proof_checks_and_names_its_key() {
        let pair = Ed25519KeyPair::generate().unwrap();
        let proof = check(&proof_with(&pair, |_, _| {}), &at_token(None)).unwrap();
        assert_eq!(proof.jkt, thumbprint(&key_of(&pair)).unwrap());
        assert_eq!((proof.jti.as_str(), proof.nonce), ("j1", None));
        // Query and fragment are not part of the target; case of scheme and host is not either.
        let with_query = proof_with(&pair, |_, c| c["htu"] = json!("HTTPS://ID.example/token?x=1#f"));
        assert!(check(&with_query, &at_token(None)).is_ok());
    }

    #[test]
    fn each_rule_of_section_4_3_refuses() {
        let pair = Ed25519KeyPair::generate().unwrap();
        let other = Ed25519KeyPair::generate().unwrap();
        type Edit = Box<dyn FnOnce(&mut Value, &mut Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("typ", Box::new(|h, _| h["typ"] = json!("JWT"))),
            ("alg none", Box::new(|h, _| h["alg"] = json!("none"))),
            ("alg HMAC", Box::new(|h, _| h["alg"] = json!("HS256"))),
            ("crit", Box::new(|h, _| h["crit"] = json!(["x"]))),
            ("no jwk", Box::new(|h, _| h["jwk"] = Value::Null)),
            ("private jwk", Box::new(|h, _| h["jwk"]["d"] = json!("AAAA"))),
            ("another key", Box::new(move |h, _| h["jwk"] = key_of(&other))),
            ("no jti", Box::new(|_, c| c["jti"] = Value::Null)),
            ("htm", Box::new(|_, c| c["htm"] = json!("GET"))),
            ("htu", Box::new(|_, c| c["htu"] = json!("https://id.example/userinfo"))),
            ("htu host", Box::new(|_, c| c["htu"] = json!("https://evil.example/token"))),
            ("iat ahead", Box::new(|_, c| c["iat"] = json!(NOW + SKEW + 1))),
            ("iat old", Box::new(|_, c| c["iat"] = json!(NOW - MAX_AGE - 1))),
            ("iat text", Box::new(|_, c| c["iat"] = json!("1800000000"))),
            ("alg RS256", Box::new(|h, _| h["alg"] = json!("RS256"))),
            ("nonce number", Box::new(|_, c| c["nonce"] = json!(5))),
        ];
        for (why, edit) in cases {
            assert!(check(&proof_with(&pair, edit), &at_token(None)).is_err(), "{why}");
        }
    }

    #[test]
    fn at_a_resource_the_proof_names_the_token() {
        let pair = Ed25519KeyPair::generate().unwrap();
        let ath = URL_SAFE_NO_PAD.encode(sha256(b"tok"));
        let proof = proof_with(&pair, |_, c| c["ath"] = json!(ath));
        assert!(check(&proof, &at_token(Some("tok"))).is_ok());
        assert!(check(&proof, &at_token(Some("other"))).is_err());
        assert!(check(&proof_with(&pair, |_, _| {}), &at_token(Some("tok"))).is_err());
    }

    proptest! {
        /// Anything at all: refused, never a panic.
        #[test]
        fn junk_is_never_accepted(token in ".{0,300}", dots in proptest::collection::vec("[A-Za-z0-9_-]{0,80}", 3)) {
            for t in [token, dots.join(".")] {
                prop_assert!(check(&t, &at_token(None)).is_err());
            }
        }

        /// One character of a good proof changed: never accepted as it was, never for another key.
        #[test]
        fn an_edit_is_never_accepted(at in 0usize..400, with in proptest::char::range('-', 'z')) {
            let pair = Ed25519KeyPair::generate().unwrap();
            let token = proof_with(&pair, |_, _| {});
            let mut chars: Vec<char> = token.chars().collect();
            let i = at % chars.len();
            prop_assume!(chars[i] != with && chars[i] != '.');
            chars[i] = with;
            let edited: String = chars.into_iter().collect();
            let same_signature = URL_SAFE_NO_PAD.decode(edited.rsplit('.').next().unwrap_or_default()).ok()
                == URL_SAFE_NO_PAD.decode(token.rsplit('.').next().unwrap_or_default()).ok()
                && edited.rsplit_once('.').map(|(a, _)| a) == token.rsplit_once('.').map(|(a, _)| a);
            prop_assert!(same_signature || check(&edited, &at_token(None)).is_err());
        }
    }
}
