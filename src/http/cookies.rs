//! Reading the Cookie header and writing Set-Cookie, with the `__Host-` prefix over https.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The name as sent: `__Host-` binds the cookie to this exact host, https only, path `/`.
pub fn name(base: &str, secure: bool) -> String {
    if secure { format!("__Host-{base}") } else { base.to_string() }
}

pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// HttpOnly always; `Secure` with https; `SameSite=Lax` so the session survives the top-level
/// redirect back from a relying party but not cross-site subrequests.
pub fn set(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", secure, Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; lanyard_session=xyz; b=2"));
        assert_eq!(read(&h, "lanyard_session").as_deref(), Some("xyz"));
        assert_eq!(read(&h, "missing"), None);
    }

    #[test]
    fn host_prefix_only_when_secure() {
        assert_eq!(name("s", true), "__Host-s");
        assert_eq!(name("s", false), "s");
        assert!(set("__Host-s", "v", true, None).contains("; Secure"));
    }
}
