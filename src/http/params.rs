//! OAuth parameters, read one way at every protocol endpoint (RFC 6749 §3.1, §3.2): from the
//! query of a GET or the urlencoded body of a POST; a parameter sent twice is `invalid_request`;
//! an empty value is the same as an absent one.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::i18n::Msg;

#[derive(Clone, Debug, Default)]
pub struct OAuthParams(BTreeMap<String, String>);

#[derive(Debug)]
pub enum ParamError {
    /// Not `application/x-www-form-urlencoded`.
    Malformed,
    /// `names` (the first few) were given more than once; `first` holds every parameter's first
    /// value, so the authorization endpoint can still find out where to send the error.
    Repeated { names: Vec<String>, first: OAuthParams },
    /// A value longer than `max_len(name)` allows, or a name longer than `MAX_NAME`.
    TooLong { name: String },
}

impl ParamError {
    pub fn description(&self) -> String {
        match self {
            ParamError::Malformed => "the parameters must be application/x-www-form-urlencoded".into(),
            ParamError::Repeated { names, .. } => repeated_text(names.first().map_or("", String::as_str)),
            ParamError::TooLong { name } => too_long_text(name),
        }
    }

    /// G1: the refusal as a message of `area` (`authorize`, `logout`): `<area>-repeated`,
    /// `<area>-too-long` with the parameter's name (echoed in part), `<area>-unreadable`.
    pub fn message(&self, repeated: &'static str, too_long: &'static str, unreadable: &'static str) -> Msg {
        match self {
            ParamError::Malformed => Msg::new(unreadable),
            ParamError::Repeated { names, .. } => {
                Msg::new(repeated).with("name", echo(names.first().map_or("", String::as_str)))
            }
            ParamError::TooLong { name } => Msg::new(too_long).with("name", echo(name)),
        }
    }

    /// True when `name` is among the repeated parameters.
    pub fn repeats(&self, name: &str) -> bool {
        matches!(self, ParamError::Repeated { names, .. } if names.iter().any(|n| n == name))
    }
}

/// The description of a repeated parameter. The name is the client's text: echoed only in part.
pub fn repeated_text(name: &str) -> String {
    format!("{} was given more than once", echo(name))
}

fn too_long_text(name: &str) -> String {
    format!("{} is too long", echo(name))
}

fn echo(name: &str) -> String {
    name.chars().take(MAX_NAME).collect()
}

/// Longest parameter name we read; no parameter of ours comes close.
const MAX_NAME: usize = 64;
/// How many repeated names an error lists.
const MAX_REPEATS_NAMED: usize = 8;

/// Longest value accepted for a parameter, in bytes. Generous for honest clients (a signed ID
/// token is ~1 KB), small enough that nothing a client sends is stored or echoed unbounded.
pub fn max_len(name: &str) -> usize {
    match name {
        "id_token_hint" | "client_assertion" | "logout_token" => 8192,
        // RFC 9101: a signed request object carries every other parameter.
        "request" => 16384,
        "claims" => 4096,
        "state" | "scope" | "redirect_uri" | "post_logout_redirect_uri" | "ui_locales" | "acr_values" => 2048,
        "nonce" | "login_hint" | "code" | "refresh_token" | "token" | "client_secret" => 1024,
        "client_id"
        | "code_challenge"
        | "code_verifier"
        | "code_challenge_method"
        | "response_type"
        | "response_mode"
        | "prompt"
        | "max_age"
        | "grant_type"
        | "token_type_hint"
        | "display" => 256,
        _ => 2048,
    }
}

impl OAuthParams {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ParamError> {
        let mut map = BTreeMap::new();
        let mut repeated: Vec<String> = Vec::new();
        for (k, v) in pairs {
            if k.len() > MAX_NAME || v.len() > max_len(&k) {
                return Err(ParamError::TooLong { name: k });
            }
            if map.contains_key(&k) {
                if repeated.len() < MAX_REPEATS_NAMED && !repeated.contains(&k) {
                    repeated.push(k);
                }
                continue;
            }
            map.insert(k, v);
        }
        map.retain(|_, v: &mut String| !v.is_empty());
        if repeated.is_empty() {
            Ok(OAuthParams(map))
        } else {
            Err(ParamError::Repeated { names: repeated, first: OAuthParams(map) })
        }
    }

    pub fn parse(text: &[u8]) -> Result<Self, ParamError> {
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(text).map_err(|_| ParamError::Malformed)?;
        Self::from_pairs(pairs)
    }

    /// The value, or `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<S: Send + Sync> FromRequest<S> for OAuthParams {
    type Rejection = ParamError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            return OAuthParams::parse(req.uri().query().unwrap_or_default().as_bytes());
        }
        let body = axum::body::Bytes::from_request(req, state).await.map_err(|_| ParamError::Malformed)?;
        OAuthParams::parse(&body)
    }
}

/// RFC 6749 §5.2's shape, for the endpoints that answer in JSON.
impl IntoResponse for ParamError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": "invalid_request", "error_description": self.description() });
        let mut res = (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent_and_repeats_are_named() {
        let p = OAuthParams::parse(b"a=1&b=&c=%20").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.get("c"), Some(" "));
        match OAuthParams::parse(b"client_id=x&scope=openid&scope=openid") {
            Err(ParamError::Repeated { names, first }) => {
                assert_eq!(names, ["scope"]);
                assert_eq!(first.get("client_id"), Some("x"));
            }
            other => panic!("{other:?}"),
        }
        let e = OAuthParams::parse(b"state=a&redirect_uri=x&state=b&redirect_uri=y").unwrap_err();
        assert!(e.repeats("redirect_uri") && e.repeats("state") && !e.repeats("client_id"));
    }

    #[test]
    fn every_value_has_a_length_limit() {
        let long_state = format!("state={}", "s".repeat(2049));
        assert!(
            matches!(OAuthParams::parse(long_state.as_bytes()), Err(ParamError::TooLong { name }) if name == "state")
        );
        let fits = format!("state={}", "s".repeat(2048));
        assert!(OAuthParams::parse(fits.as_bytes()).is_ok());
        let unknown = format!("whatever={}", "w".repeat(2049));
        assert!(matches!(OAuthParams::parse(unknown.as_bytes()), Err(ParamError::TooLong { .. })));
        let long_name = format!("{}=1", "n".repeat(65));
        let e = OAuthParams::parse(long_name.as_bytes()).unwrap_err();
        assert_eq!(e.description(), format!("{} is too long", "n".repeat(64)));
    }
}
