//! OAuth parameters, read one way at every protocol endpoint (RFC 6749 §3.1, §3.2): from the
//! query of a GET or the urlencoded body of a POST; a parameter sent twice is `invalid_request`;
//! an empty value is the same as an absent one.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug, Default)]
pub struct OAuthParams(BTreeMap<String, String>);

#[derive(Debug)]
pub enum ParamError {
    /// Not `application/x-www-form-urlencoded`.
    Malformed,
    /// `name` was given more than once; `first` holds every parameter's first value, so the
    /// authorization endpoint can still find out where to send the error.
    Repeated { name: String, first: OAuthParams },
}

impl ParamError {
    pub fn description(&self) -> String {
        match self {
            ParamError::Malformed => "the parameters must be application/x-www-form-urlencoded".into(),
            ParamError::Repeated { name, .. } => repeated_text(name),
        }
    }
}

/// The description of a repeated parameter. The name is the client's text: echoed only in part.
pub fn repeated_text(name: &str) -> String {
    format!("{} was given more than once", name.chars().take(64).collect::<String>())
}

impl OAuthParams {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ParamError> {
        let mut map = BTreeMap::new();
        let mut repeated = None;
        for (k, v) in pairs {
            if map.contains_key(&k) {
                repeated.get_or_insert_with(|| k.clone());
                continue;
            }
            map.insert(k, v);
        }
        map.retain(|_, v: &mut String| !v.is_empty());
        match repeated {
            Some(name) => Err(ParamError::Repeated { name, first: OAuthParams(map) }),
            None => Ok(OAuthParams(map)),
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
            Err(ParamError::Repeated { name, first }) => {
                assert_eq!(name, "scope");
                assert_eq!(first.get("client_id"), Some("x"));
            }
            other => panic!("{other:?}"),
        }
    }
}
