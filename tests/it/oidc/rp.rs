//! A relying party for tests: registers a client, runs the browser leg with a cookie-keeping
//! HTTP client, and speaks to the back channel with openidconnect.

use lanyard::domain::application::{ClientMetadata, TokenEndpointAuthMethod};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use reqwest::StatusCode;
use url::Url;

use crate::support::{PASSWORD, TestApp, csrf_of};

pub const REDIRECT: &str = "http://localhost:4000/callback";
pub const LOGOUT_REDIRECT: &str = "http://localhost:4000/signed-out";

pub type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

pub struct Rp {
    pub client_id: String,
    pub secret: Option<String>,
    pub client: Client,
    pub http: openidconnect::reqwest::Client,
}

pub fn issuer(app: &TestApp) -> String {
    format!("http://localhost:{}", app.addr.port())
}

/// A user-agent on the issuer's host name (cookies are per host).
pub fn at(app: &TestApp, path: &str) -> String {
    format!("{}{path}", issuer(app))
}

pub fn metadata(public: bool) -> ClientMetadata {
    let grants: Vec<&str> = ["authorization_code", "refresh_token", "client_credentials"]
        .into_iter()
        .filter(|g| !public || *g != "client_credentials")
        .collect();
    serde_json::from_value(serde_json::json!({
        "redirect_uris": [REDIRECT],
        "post_logout_redirect_uris": [LOGOUT_REDIRECT],
        "token_endpoint_auth_method": if public { "none" } else { "client_secret_basic" },
        "grant_types": grants,
    }))
    .unwrap()
}

/// Tenant ACME with user alice, and a confidential client `app` allowed for ACME.
pub async fn setup(app: &TestApp) -> Rp {
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    register(app, "app", metadata(false), &["ACME"]).await
}

pub async fn register(app: &TestApp, id: &str, meta: ClientMetadata, tenants: &[&str]) -> Rp {
    register_named(app, id, id, meta, tenants).await
}

pub async fn register_named(app: &TestApp, id: &str, name: &str, meta: ClientMetadata, tenants: &[&str]) -> Rp {
    let tenants: Vec<String> = tenants.iter().map(|s| s.to_string()).collect();
    let (_, secret) = app
        .state
        .accounts
        .admin(crate::support::operator())
        .create_client(Some(id), name, &meta, &tenants)
        .await
        .unwrap();
    let secret = secret.map(|s| s.expose().to_string());
    let http = openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let provider = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer(app)).unwrap(), &http).await.unwrap();
    let mut client =
        CoreClient::from_provider_metadata(provider, ClientId::new(id.into()), secret.clone().map(ClientSecret::new))
            .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    if meta.token_endpoint_auth_method == TokenEndpointAuthMethod::ClientSecretPost {
        client = client.set_auth_type(openidconnect::AuthType::RequestBody);
    }
    Rp { client_id: id.into(), secret, client, http }
}

/// One authorization request as the RP builds it.
pub struct Request {
    pub url: Url,
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

impl Rp {
    pub fn request(&self, extra: &[(&str, &str)]) -> Request {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        for (k, v) in extra {
            req = req.add_extra_param(*k, *v);
        }
        let (url, state, nonce) = req.url();
        Request { url, state, nonce, verifier }
    }

    pub async fn exchange(&self, code: &str, verifier: PkceCodeVerifier) -> openidconnect::core::CoreTokenResponse {
        self.client
            .exchange_code(AuthorizationCode::new(code.into()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .unwrap()
    }

    pub fn claims(&self, tokens: &openidconnect::core::CoreTokenResponse, nonce: &Nonce) -> CoreIdTokenClaims {
        use openidconnect::OAuth2TokenResponse;
        use openidconnect::TokenResponse as _;
        let id_token = tokens.id_token().expect("an ID token");
        let verifier = self.client.id_token_verifier().set_allowed_algs(vec![
            openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            openidconnect::core::CoreJwsSigningAlgorithm::EdDsa,
        ]);
        let claims = id_token.claims(&verifier, nonce).unwrap().clone();
        // at_hash binds the access token to this ID token (OIDC Core §3.1.3.8).
        let expected = openidconnect::AccessTokenHash::from_token(
            tokens.access_token(),
            id_token.signing_alg().unwrap(),
            id_token.signing_key(&verifier).unwrap(),
        )
        .unwrap();
        assert_eq!(claims.access_token_hash(), Some(&expected));
        claims
    }

    /// POSTs to a back-channel endpoint with this client's Basic credentials.
    pub async fn post(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut req = reqwest::Client::new().post(url).form(form);
        if let Some(secret) = &self.secret {
            req = req.basic_auth(&self.client_id, Some(secret));
        }
        req.send().await.unwrap()
    }
}

/// The parameters of a redirect back to the RP.
pub fn callback(res: &reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "expected a redirect to the client from {}", res.url());
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    Url::parse(location).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Follows Lanyard's own redirects (login page, resume) until one leaves for the client,
/// signing in on the way with `login`/`password` if asked.
pub async fn browse(
    app: &TestApp,
    browser: &reqwest::Client,
    start: &str,
    login: Option<(&str, &str)>,
) -> reqwest::Response {
    let mut res = browser.get(start).send().await.unwrap();
    for _ in 0..6 {
        let location = match res.headers().get("location") {
            Some(l) => l.to_str().unwrap().to_string(),
            None => return res,
        };
        if location.starts_with(REDIRECT)
            || location.starts_with(LOGOUT_REDIRECT)
            || location.starts_with("/password/change")
            || location.starts_with("/sign-in/second-factor")
        {
            return res;
        }
        let next = if location.starts_with('/') { at(app, &location) } else { location };
        if next.contains("/login?auth=") {
            let Some((name, password)) = login else { return res };
            let page = browser.get(&next).send().await.unwrap().text().await.unwrap();
            let auth = next.split("auth=").nth(1).unwrap().to_string();
            res = browser
                .post(at(app, "/login"))
                .form(&[
                    ("csrf", csrf_of(&page).as_str()),
                    ("auth", auth.as_str()),
                    ("login_name", name),
                    ("password", password),
                    ("provider_code", "ACME"),
                ])
                .send()
                .await
                .unwrap();
        } else {
            res = browser.get(&next).send().await.unwrap();
        }
    }
    res
}

/// The whole front channel for alice: returns the code and the request it answers.
pub async fn code_for_alice(app: &TestApp, rp: &Rp, browser: &reqwest::Client) -> (String, Request) {
    let req = rp.request(&[]);
    let res = browse(app, browser, req.url.as_str(), Some(("alice", PASSWORD))).await;
    let params = callback(&res);
    assert_eq!(param(&params, "state"), Some(req.state.secret().as_str()));
    (param(&params, "code").unwrap().to_string(), req)
}

/// A confidential client for ACME and a refresh token alice got through it.
pub async fn refresh_token_for_alice(app: &TestApp) -> (Rp, String) {
    let rp = register(app, "app", metadata(false), &["ACME"]).await;
    let (code, req) = code_for_alice(app, &rp, &app.browser()).await;
    let res = rp
        .post(
            &at(app, "/token"),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", req.verifier.secret()),
            ],
        )
        .await;
    let body: serde_json::Value = res.json().await.unwrap();
    (rp, body["refresh_token"].as_str().unwrap().to_string())
}
