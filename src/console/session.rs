//! The console's cookies, sealed (AES-GCM) so the browser can neither read nor forge them: the
//! signed-in administrator (their access token and who they are), the sign-in in progress
//! (state, nonce, PKCE verifier, where to return), and the flash message of the last action.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Console;
use super::api::Caller;
use crate::http::cookies;
use crate::http::page::see_other;

const SIGNED_IN: &str = "lanyard_console";
const SIGNING_IN: &str = "lanyard_console_login";
const FLASH: &str = "lanyard_console_flash";

/// Who is signed in to the console, as the API told at sign-in. Only for showing: every
/// decision is the API's, on the token.
#[derive(Clone, Serialize, Deserialize)]
pub struct Signed {
    pub token: String,
    /// `user:<provider code>/<login name>`.
    pub actor: String,
    pub role: String,
    pub provider: Option<String>,
    /// A MAC of the Lanyard session cookie the console was signed in with: signing out of
    /// Lanyard, or someone else signing in in this browser, ends the console's access too.
    pub session_tag: String,
}

#[derive(Serialize, Deserialize)]
pub struct SigningIn {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub text: String,
}

impl Flash {
    pub fn notice(text: impl Into<String>) -> Self {
        Flash { kind: "notice".into(), text: text.into() }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Flash { kind: "error".into(), text: text.into() }
    }
}

impl Console {
    /// The tag of this browser's Lanyard session cookie (`None` without one).
    pub fn session_tag(&self, headers: &HeaderMap) -> Option<String> {
        crate::http::session::cookie_value(headers, &self.site).map(|v| self.site.mac.sign("console session", &v))
    }

    /// The signed-in administrator, if the cookie is ours and the Lanyard session it was
    /// signed in with is still this browser's.
    pub fn signed(&self, headers: &HeaderMap) -> Option<Signed> {
        let signed: Signed = self.open_cookie(headers, SIGNED_IN)?;
        let current = self.session_tag(headers)?;
        crate::secret::constant_time_eq(current.as_bytes(), signed.session_tag.as_bytes()).then_some(signed)
    }

    fn seal_cookie<T: Serialize>(&self, base: &str, value: &T, max_age: Option<i64>) -> String {
        let json = serde_json::to_vec(value).unwrap_or_default();
        let sealed = self.sealer.seal(base, &json);
        cookies::set(&cookies::name(base, self.site.secure_cookies), &sealed, self.site.secure_cookies, max_age)
    }

    fn open_cookie<T: DeserializeOwned>(&self, headers: &HeaderMap, base: &str) -> Option<T> {
        let raw = cookies::read(headers, &cookies::name(base, self.site.secure_cookies))?;
        // A sealed cookie is short; anything long is not ours.
        if raw.len() > 4096 {
            return None;
        }
        serde_json::from_slice(&self.sealer.open(base, &raw)?).ok()
    }

    fn clear_cookie(&self, base: &str) -> String {
        cookies::clear(&cookies::name(base, self.site.secure_cookies), self.site.secure_cookies)
    }

    /// Lives as long as the access token: when it runs out, the next page signs in again
    /// (silently, while the Lanyard session lasts).
    pub fn signed_in_cookie(&self, s: &Signed, max_age: i64) -> String {
        self.seal_cookie(SIGNED_IN, s, Some(max_age))
    }

    pub fn signed_out_cookie(&self) -> String {
        self.clear_cookie(SIGNED_IN)
    }

    pub fn signing_in_cookie(&self, s: &SigningIn) -> String {
        self.seal_cookie(SIGNING_IN, s, Some(600))
    }

    pub fn take_signing_in(&self, headers: &HeaderMap) -> (Option<SigningIn>, String) {
        (self.open_cookie(headers, SIGNING_IN), self.clear_cookie(SIGNING_IN))
    }

    pub fn flash_cookie(&self, flash: &Flash) -> String {
        self.seal_cookie(FLASH, flash, Some(120))
    }

    /// The flash message to show once, and the cookie that forgets it.
    pub fn take_flash(&self, headers: &HeaderMap) -> Option<(Flash, String)> {
        self.open_cookie(headers, FLASH).map(|f| (f, self.clear_cookie(FLASH)))
    }
}

/// A signed-in administrator with the browser's request: what every console page takes.
/// Without the cookie, a page visit goes to sign-in and comes back; a form post goes to the
/// console's start page after sign-in (its form data would be stale by then).
pub struct Admin {
    pub signed: Signed,
    pub caller: Caller,
    pub headers: HeaderMap,
}

impl FromRequestParts<Console> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Response> {
        match console.signed(&parts.headers) {
            Some(signed) => Ok(Admin { signed, caller: Caller::of(parts), headers: parts.headers.clone() }),
            None => {
                let next = match (&parts.method, parts.uri.path_and_query()) {
                    (&Method::GET, Some(pq)) => pq.as_str().to_string(),
                    _ => "/admin".to_string(),
                };
                Err(sign_in_again(&next))
            }
        }
    }
}

pub fn sign_in_again(next: &str) -> Response {
    let q = url::form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish();
    see_other(&format!("/admin/sign-in?{q}"), vec![])
}

/// Only a console path may be returned to after sign-in: never another site (`//evil`), never
/// a backslash trick, never a dot-segment or an encoded one that a browser would resolve to
/// somewhere outside `/admin`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if (n == "/admin" || n.starts_with("/admin/") || n.starts_with("/admin?"))
                && !n.contains('\\')
                && !n.contains("..")
                && !n.contains("//")
                && !n.to_ascii_lowercase().contains("%2e")
                && !n.to_ascii_lowercase().contains("%2f")
                && !n.to_ascii_lowercase().contains("%5c")
                && n.len() <= 1024
                && !n.bytes().any(|b| b.is_ascii_control()) =>
        {
            n.to_string()
        }
        _ => "/admin".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_console_paths_are_returned_to() {
        assert_eq!(safe_next(Some("/admin/providers/DEMO/users?q=a")), "/admin/providers/DEMO/users?q=a");
        for bad in [
            "//evil.example",
            "https://evil.example/admin",
            "/admin\\@evil",
            "/adminx",
            "/admin/\n",
            "/admin/../authorize",
            "/admin/%2e%2e/x",
            "/admin/%2E%2E%2Fx",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/admin");
    }
}
