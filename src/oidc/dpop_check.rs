//! RFC 9449 at the endpoints: the `DPoP` header of a request (at most one) checked as a proof
//! for this endpoint (`dpop`) and for the server's nonce (§8) — no store touched — then, once
//! the client has authenticated, spent (§11.1: each `jti` of a key once, on every node, through
//! the ephemeral store). With `dpop = off` the header is ignored, as by a server that does not
//! know it (§5): tokens are bearer tokens.
//!
//! Nonces need no store: a nonce is the MAC, under the site's secret key (shared by every node),
//! of the current window of `dpop_nonce_secs`; the current window's and the previous one's are
//! accepted, so a nonce lives one to two windows and every node agrees on it (the next window's
//! too: a node whose clock runs a little behind another's still takes that one's nonce).

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::Oidc;
use super::dpop::{self, MAX_AGE, Proof, SKEW};
use super::error::{ErrorCode, OAuthError, dpop_error};
use crate::accounts::Internal;
use crate::secret::Mac;

/// RFC 9449 §4.1 and §8.1: the request and response headers.
pub const DPOP: &str = "dpop";
pub const DPOP_NONCE: &str = "dpop-nonce";

/// The server's DPoP nonces (§8).
pub struct Nonces {
    mac: Mac,
    /// Seconds a nonce's window lasts; 0: nonces are not required.
    window: i64,
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nonces").field("window", &self.window).finish()
    }
}

impl Nonces {
    pub fn new(mac: Mac, window: i64) -> Self {
        Nonces { mac, window: window.max(0) }
    }

    fn of_window(&self, window: i64) -> String {
        self.mac.sign("dpop-nonce", &window.to_string())
    }

    /// The nonce to hand out at `now`, if nonces are required.
    pub fn current(&self, now: i64) -> Option<String> {
        (self.window > 0).then(|| self.of_window(now.div_euclid(self.window)))
    }

    fn accepts(&self, nonce: Option<&str>, now: i64) -> bool {
        if self.window == 0 {
            return true;
        }
        let Some(nonce) = nonce else { return false };
        let window = now.div_euclid(self.window);
        [window, window - 1, window + 1].iter().any(|w| self.mac.verify("dpop-nonce", &w.to_string(), nonce))
    }
}

/// What a proof without the current nonce is told (§8).
const USE_NONCE: &str = "use the DPoP-Nonce this response carries";

/// Why a request's proof does not do.
#[derive(Debug)]
pub enum Refused {
    Proof(&'static str),
    /// The proof lacks the current nonce: the client retries with the one in `DPoP-Nonce`.
    Nonce,
    Failed(Internal),
}

/// The proof in `headers` for `method` at the issuer's `path` (with `access_token` at a
/// resource), checked but not yet spent; `Ok(None)` when the request carries none (or DPoP is
/// off).
pub fn presented(
    oidc: &Oidc,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    access_token: Option<&str>,
) -> Result<Option<Proof>, Refused> {
    let Some(nonces) = &oidc.dpop else { return Ok(None) };
    let mut values = headers.get_all(DPOP).iter();
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(Refused::Proof("send one DPoP header"));
    }
    let text = value.to_str().map_err(|_| Refused::Proof("the DPoP proof is not a JWT"))?;
    let now = oidc.clock.now();
    let url = format!("{}{path}", oidc.issuer);
    let proof = dpop::check(text, &dpop::Request { method, url: &url, access_token, now }).map_err(Refused::Proof)?;
    if !nonces.accepts(proof.nonce.as_deref(), now) {
        return Err(Refused::Nonce);
    }
    Ok(Some(proof))
}

/// Uses the proof up: a second request with it, on any node, is refused.
pub async fn spend(oidc: &Oidc, proof: &Proof) -> Result<(), Refused> {
    // Past MAX_AGE (and the skew ahead) the proof is refused by its iat: no need to remember it.
    let key = format!("{}:{}", proof.jkt, proof.jti);
    let first = oidc.grants.first_use("dpop-jti", &key, MAX_AGE + 2 * SKEW).await;
    if !first.map_err(|e| Refused::Failed(e.into()))? {
        return Err(Refused::Proof("the DPoP proof was used before"));
    }
    Ok(())
}

/// [`presented`] and [`spend`] at once, where no client authenticates (a resource).
pub async fn presented_and_spent(
    oidc: &Oidc,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    access_token: Option<&str>,
) -> Result<Option<Proof>, Refused> {
    let proof = presented(oidc, headers, method, path, access_token)?;
    if let Some(p) = &proof {
        spend(oidc, p).await?;
    }
    Ok(proof)
}

/// At the token and PAR endpoints, errors are JSON (§5).
impl From<Refused> for OAuthError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Proof(why) => OAuthError::new(ErrorCode::InvalidDpopProof, why),
            Refused::Nonce => OAuthError::new(ErrorCode::UseDpopNonce, USE_NONCE),
            Refused::Failed(e) => OAuthError::from(e),
        }
    }
}

/// At a resource, in the `DPoP` challenge (§7.1, §9).
pub fn resource_refusal(r: Refused) -> Response {
    match r {
        Refused::Proof(why) => dpop_error(ErrorCode::InvalidDpopProof, why),
        Refused::Nonce => dpop_error(ErrorCode::UseDpopNonce, USE_NONCE),
        Refused::Failed(e) => axum::response::IntoResponse::into_response(OAuthError::from(e)),
    }
}

/// Every answer to a request that carried a proof carries the current nonce (§8.2): the client
/// has it for its next proof, and a `use_dpop_nonce` error has what it asks for.
pub fn with_nonce(oidc: &Oidc, request: &HeaderMap, mut res: Response) -> Response {
    if request.contains_key(DPOP)
        && let Some(nonce) = oidc.dpop.as_ref().and_then(|n| n.current(oidc.clock.now()))
        && let Ok(v) = HeaderValue::from_str(&nonce)
    {
        res.headers_mut().insert(DPOP_NONCE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_live_one_to_two_windows_and_belong_to_their_key() {
        let nonces = Nonces::new(Mac::new(b"k"), 60);
        let n = nonces.current(600).unwrap();
        assert!(nonces.accepts(Some(&n), 600) && nonces.accepts(Some(&n), 719));
        assert!(!nonces.accepts(Some(&n), 720));
        assert!(nonces.accepts(Some(&n), 599), "a clock a little behind");
        assert!(!nonces.accepts(Some(&n), 539));
        assert!(!nonces.accepts(None, 600));
        assert!(!Nonces::new(Mac::new(b"other"), 60).accepts(Some(&n), 600));
        let off = Nonces::new(Mac::new(b"k"), 0);
        assert!(off.current(600).is_none() && off.accepts(None, 600));
    }
}
