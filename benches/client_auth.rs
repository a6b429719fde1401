//! Issue 29: what `private_key_jwt` (RFC 7523) costs per token request, beside a client secret,
//! in one run:
//! - CPU: checking a secret (SHA-256 and a constant-time compare) against reading and checking
//!   an assertion (JSON, the signature in each accepted algorithm through aws-lc-rs, the claims);
//! - end to end, over HTTP against an embedded (SQLite) server: `client_credentials` token
//!   requests with `client_secret_basic` and with `private_key_jwt` (ES256), one after another
//!   (each assertion's `jti` is also made single use in the ephemeral store).
//!
//! - DPoP (RFC 9449): checking a proof in each accepted algorithm, and `client_credentials` with a
//!   proof beside each kind of client authentication (the proof's `jti` is spent in the store).
//!
//! Run: `cargo bench --bench client_auth`. Prints numbers; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lanyard::accounts::admin::Actor;
use lanyard::app::{self, AppState};
use lanyard::clock::Clock;
use lanyard::oidc::client_assertion::Presented;
use serde_json::{Value, json};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let start = lanyard::clock::monotonic_now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(n) / 1000.0
}

/// Signs a JWS signing input.
type Sign = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// A signer for one algorithm, and its public JWK.
fn signer(alg: &str) -> (Sign, Value) {
    let rng = SystemRandom::new();
    match alg {
        "ES256" => {
            let doc =
                EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap().to_pkcs8v1().unwrap();
            let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref()).unwrap();
            let p = pair.public_key().as_ref().to_vec();
            let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&p[1..33]), "y": b64(&p[33..65])});
            (Box::new(move |m| pair.sign(&rng, m).unwrap().as_ref().to_vec()), jwk)
        }
        "EdDSA" => {
            let pair = Ed25519KeyPair::generate().unwrap();
            let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())});
            (Box::new(move |m| pair.sign(m).as_ref().to_vec()), jwk)
        }
        _ => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            let public = pair.public_key();
            let jwk = json!({
                "kty": "RSA",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero()),
            });
            let pss = alg == "PS256";
            let sign = move |m: &[u8]| {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                let padding: &dyn signature::RsaEncoding =
                    if pss { &signature::RSA_PSS_SHA256 } else { &signature::RSA_PKCS1_SHA256 };
                pair.sign(padding, &rng, m, &mut sig).unwrap();
                sig
            };
            (Box::new(sign), jwk)
        }
    }
}

fn assertion(sign: &dyn Fn(&[u8]) -> Vec<u8>, alg: &str, aud: &str, now: i64, jti: &str) -> String {
    let claims = json!({"iss": "svc", "sub": "svc", "aud": aud, "exp": now + 60, "iat": now, "jti": jti});
    let input = format!("{}.{}", b64(json!({"alg": alg}).to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    format!("{input}.{}", b64(&sign(input.as_bytes())))
}

fn cpu() {
    let n = 2_000;
    let stored = lanyard::secret::token_hash("a-client-secret-of-forty-three-characters-x");
    let secret = per_call(n, || {
        let presented = lanyard::secret::token_hash("a-client-secret-of-forty-three-characters-x");
        std::hint::black_box(lanyard::secret::constant_time_eq(stored.as_bytes(), presented.as_bytes()));
    });
    println!("Client authentication, CPU per token request ({n} runs each):");
    println!("  client secret (SHA-256, compare)       {secret:.2} µs");
    let now = 1_800_000_000;
    for alg in ["ES256", "EdDSA", "PS256", "RS256"] {
        let (sign, jwk) = signer(alg);
        let jwks = json!({"keys": [jwk]});
        let token = assertion(&*sign, alg, "https://id.example", now, "j");
        let check = per_call(n, || {
            let p = Presented::read(&token).unwrap();
            std::hint::black_box(p.check(&jwks, "svc", "https://id.example", now).unwrap());
        });
        println!("  private_key_jwt {alg:<6} (read, verify)  {check:.2} µs");
    }
}

/// A DPoP proof for `htm` at `htu` (with the server's nonce), signed by `sign` under `alg`.
fn proof(sign: &dyn Fn(&[u8]) -> Vec<u8>, alg: &str, jwk: &Value, htu: &str, now: i64, nonce: Option<&str>) -> String {
    let header = json!({"typ": "dpop+jwt", "alg": alg, "jwk": jwk});
    let mut claims = json!({"jti": b64(&aws_lc_rs::rand::generate::<[u8; 12]>(&SystemRandom::new()).unwrap().expose()), "htm": "POST", "htu": htu, "iat": now});
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    format!("{input}.{}", b64(&sign(input.as_bytes())))
}

fn dpop_cpu() {
    let n = 2_000;
    let now = 1_800_000_000;
    println!("DPoP proof, CPU per request ({n} runs each):");
    for alg in ["ES256", "EdDSA", "PS256"] {
        let (sign, jwk) = signer(alg);
        let token = proof(&*sign, alg, &jwk, "https://id.example/token", now, None);
        let request =
            lanyard::oidc::dpop::Request { method: "POST", url: "https://id.example/token", access_token: None, now };
        let check = per_call(n, || {
            std::hint::black_box(lanyard::oidc::dpop::check(&token, &request).unwrap());
        });
        println!("  proof {alg:<6} (read, jwk, verify, thumbprint)  {check:.2} µs");
    }
}

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

async fn end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let issuer = format!("http://localhost:{}", addr.port());
    let env = [
        ("LANYARD_DATA_DIR", dir.path().display().to_string()),
        ("LANYARD_ISSUER", issuer.clone()),
        ("LANYARD_LOG_LEVEL", "error".to_string()),
    ];
    let config =
        lanyard::config::load(None, false, &|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap();
    let state = AppState::build(config, Clock::system()).await.unwrap();
    let operator = state.accounts.admin(Actor::operator());
    let grants = json!(["client_credentials"]);
    let secret_meta = serde_json::from_value(
        json!({"redirect_uris": [], "token_endpoint_auth_method": "client_secret_basic", "grant_types": grants}),
    )
    .unwrap();
    let (_, secret) = operator.create_client(Some("basic"), "Basic", &secret_meta, &[]).await.unwrap();
    let secret = secret.unwrap().expose().to_string();
    let (sign, jwk) = signer("ES256");
    let key_meta = serde_json::from_value(json!({"redirect_uris": [], "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk]}, "grant_types": grants})).unwrap();
    operator.create_client(Some("svc"), "Service", &key_meta, &[]).await.unwrap();
    tokio::spawn(app::serve(listener, state.clone(), std::future::pending()));
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/token");
    let rounds = 300;
    let (mut with_secret, mut with_key) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let started = Instant::now();
        let res = http
            .post(&url)
            .basic_auth("basic", Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        with_secret.push(started.elapsed());
        let now = Clock::system().now();
        let started = Instant::now();
        let token = assertion(&*sign, "ES256", &issuer, now, &format!("jti-{i}"));
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", token.as_str()),
        ];
        let res = http.post(&url).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        with_key.push(started.elapsed());
    }
    // DPoP: the server's nonce first (a proof without one is told it), then a proof per request.
    let (dpop_sign, dpop_jwk) = signer("ES256");
    let first = proof(&*dpop_sign, "ES256", &dpop_jwk, &format!("{issuer}/token"), Clock::system().now(), None);
    let res = http
        .post(&url)
        .basic_auth("basic", Some(&secret))
        .header("DPoP", first)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let nonce = res.headers()["dpop-nonce"].to_str().unwrap().to_string();
    let (mut secret_dpop, mut key_dpop) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let now = Clock::system().now();
        let started = Instant::now();
        let p = proof(&*dpop_sign, "ES256", &dpop_jwk, &format!("{issuer}/token"), now, Some(&nonce));
        let res = http
            .post(&url)
            .basic_auth("basic", Some(&secret))
            .header("DPoP", p)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        secret_dpop.push(started.elapsed());
        let started = Instant::now();
        let token = assertion(&*sign, "ES256", &issuer, now, &format!("jti-dpop-{i}"));
        let p = proof(&*dpop_sign, "ES256", &dpop_jwk, &format!("{issuer}/token"), now, Some(&nonce));
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", token.as_str()),
        ];
        let res = http.post(&url).header("DPoP", p).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        key_dpop.push(started.elapsed());
    }
    let (s, k) = (median_ms(with_secret), median_ms(with_key));
    let (sd, kd) = (median_ms(secret_dpop), median_ms(key_dpop));
    println!(
        "client_credentials token requests end to end, embedded SQLite, {rounds} each (medians; the bench signs too):"
    );
    println!("  client_secret_basic                          {s:.3} ms");
    println!("  private_key_jwt (ES256)                      {k:.3} ms  (+{:.3} ms)", k - s);
    println!("  client_secret_basic + DPoP (ES256)           {sd:.3} ms  (+{:.3} ms)", sd - s);
    println!("  private_key_jwt + DPoP (ES256, FAPI 2.0)     {kd:.3} ms  (+{:.3} ms)", kd - s);
}

fn main() {
    cpu();
    dpop_cpu();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(end_to_end());
}
