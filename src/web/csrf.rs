//! CSRF protection for every form: a random value in a cookie, and in the form its MAC under the
//! deployment's secret key ("signed double submit"). A cross-site page can neither read the
//! cookie nor forge the MAC; `SameSite` and the `__Host-` prefix keep the cookie first-party.

use axum::http::HeaderMap;

use super::cookies;
use crate::secret::{Mac, random_token};

const COOKIE: &str = "lanyard_csrf";
const PURPOSE: &str = "csrf";

/// What a page with a form needs: the hidden field's value and, for a new visitor, the cookie.
pub struct CsrfToken {
    pub token: String,
    pub set_cookie: Option<String>,
}

pub fn issue(headers: &HeaderMap, mac: &Mac, secure: bool) -> CsrfToken {
    let name = cookies::name(COOKIE, secure);
    match cookies::read(headers, &name).filter(|v| v.len() == 43) {
        Some(value) => CsrfToken { token: mac.sign(PURPOSE, &value), set_cookie: None },
        None => {
            let value = random_token();
            CsrfToken { token: mac.sign(PURPOSE, &value), set_cookie: Some(cookies::set(&name, &value, secure, None)) }
        }
    }
}

pub fn verify(headers: &HeaderMap, mac: &Mac, secure: bool, token: Option<&str>) -> bool {
    let name = cookies::name(COOKIE, secure);
    match (cookies::read(headers, &name), token) {
        (Some(value), Some(token)) => mac.verify(PURPOSE, &value, token),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE as COOKIE_HEADER;

    #[test]
    fn token_matches_only_its_cookie() {
        let mac = Mac::new(b"test-key");
        let issued = issue(&HeaderMap::new(), &mac, false);
        let cookie = issued.set_cookie.unwrap();
        let pair = cookie.split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(COOKIE_HEADER, HeaderValue::from_str(&pair).unwrap());
        assert!(verify(&h, &mac, false, Some(&issued.token)));
        assert!(!verify(&h, &mac, false, Some("forged")));
        assert!(!verify(&h, &mac, false, None));
        assert!(!verify(&HeaderMap::new(), &mac, false, Some(&issued.token)));
    }
}
