//! CSRF protection for every form: a random value in a cookie, and in the form its MAC under the
//! deployment's secret key ("signed double submit"). A cross-site page can neither read the
//! cookie nor forge the MAC; `SameSite` and the `__Host-` prefix keep the cookie first-party.
//! A browser's own word on where the form came from (`Origin`, else `Sec-Fetch-Site`) must also
//! be us: that stops a sibling site which planted the cookie (no `__Host-` on http, or a
//! subdomain) from posting with a token it minted for itself.

use axum::http::{HeaderMap, header};

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
    if !same_origin(headers, site) {
        return false;
    }
    let name = cookies::name(COOKIE, site.secure_cookies);
    match (cookies::read(headers, &name), token) {
        (Some(value), Some(token)) => site.mac.verify(PURPOSE, &value, token),
        _ => false,
    }
}

/// True unless the browser says the request came from elsewhere. Clients that send neither
/// header (older browsers, scripts) rely on the token alone.
fn same_origin(headers: &HeaderMap, site: &Site) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.as_bytes() == site.origin.as_bytes();
    }
    match headers.get("sec-fetch-site").map(|v| v.as_bytes()) {
        None | Some(b"same-origin" | b"none") => true,
        Some(_) => false,
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
        let issuer = url::Url::parse("http://localhost:8080").unwrap();
        let site = Site::new(&issuer, Mac::new(b"test-key"), Default::default());
        let issued = issue(&HeaderMap::new(), &site);
        let cookie = issued.set_cookie.unwrap();
        let pair = cookie.split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(COOKIE_HEADER, HeaderValue::from_str(&pair).unwrap());
        assert!(verify(&h, &site, Some(&issued.token)));
        assert!(!verify(&h, &site, Some("forged")));
        assert!(!verify(&h, &site, None));
        assert!(!verify(&HeaderMap::new(), &site, Some(&issued.token)));

        let with = |name: &'static str, value: &'static str| {
            let mut h = h.clone();
            h.insert(name, HeaderValue::from_static(value));
            verify(&h, &site, Some(&issued.token))
        };
        assert!(with("origin", "http://localhost:8080"));
        assert!(!with("origin", "http://localhost:8081"));
        assert!(!with("origin", "https://evil.example"));
        assert!(!with("origin", "null"));
        assert!(with("sec-fetch-site", "same-origin"));
        assert!(!with("sec-fetch-site", "same-site"));
        assert!(!with("sec-fetch-site", "cross-site"));
    }
}
