//! CSRF protection for every form: a random value in a cookie, and in the form its MAC under the
//! deployment's secret key ("signed double submit"). A cross-site page can neither read the
//! cookie nor forge the MAC; `SameSite` and the `__Host-` prefix keep the cookie first-party.

use axum::http::HeaderMap;

use super::cookies;
use super::site::Site;
use crate::secret::{is_random_token, random_token};

const COOKIE: &str = "lanyard_csrf";
const PURPOSE: &str = "csrf";

/// What a page with a form needs: the hidden field's value and, for a new visitor, the cookie.
pub struct CsrfToken {
    pub token: String,
    pub set_cookie: Option<String>,
}

pub fn issue(headers: &HeaderMap, site: &Site) -> CsrfToken {
    let (mac, secure) = (&site.mac, site.secure_cookies);
    let name = cookies::name(COOKIE, secure);
    match cookies::read(headers, &name).filter(|v| is_random_token(v)) {
        Some(value) => CsrfToken { token: mac.sign(PURPOSE, &value), set_cookie: None },
        None => {
            let value = random_token();
            CsrfToken { token: mac.sign(PURPOSE, &value), set_cookie: Some(cookies::set(&name, &value, secure, None)) }
        }
    }
}

pub fn verify(headers: &HeaderMap, site: &Site, token: Option<&str>) -> bool {
    let name = cookies::name(COOKIE, site.secure_cookies);
    match (cookies::read(headers, &name), token) {
        (Some(value), Some(token)) => site.mac.verify(PURPOSE, &value, token),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Mac;
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE as COOKIE_HEADER;

    #[test]
    fn token_matches_only_its_cookie() {
        let site = Site::new(false, Mac::new(b"test-key"), false);
        let issued = issue(&HeaderMap::new(), &site);
        let cookie = issued.set_cookie.unwrap();
        let pair = cookie.split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(COOKIE_HEADER, HeaderValue::from_str(&pair).unwrap());
        assert!(verify(&h, &site, Some(&issued.token)));
        assert!(!verify(&h, &site, Some("forged")));
        assert!(!verify(&h, &site, None));
        assert!(!verify(&HeaderMap::new(), &site, Some(&issued.token)));
    }
}
