//! `Site`: what every HTTP surface needs to speak to a browser — whether cookies are `Secure`
//! (`__Host-`), the MAC key for CSRF tokens, and whose `X-Forwarded-For` lines are believed.
//! Handlers take it as an axum sub-state (`State<Site>`), never the whole application.

use std::sync::Arc;

use crate::config::TrustedProxies;
use crate::secret::Mac;

#[derive(Clone)]
pub struct Site(Arc<SiteInner>);

pub struct SiteInner {
    /// The issuer is https: cookies are `Secure` with the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Keyed with the deployment's secret key: CSRF tokens.
    pub mac: Mac,
    pub trusted_proxies: TrustedProxies,
    /// The issuer's origin (`https://id.example.org`): what a browser's `Origin` says of our
    /// own pages.
    pub origin: String,
}

impl Site {
    pub fn new(issuer: &url::Url, mac: Mac, trusted_proxies: TrustedProxies) -> Self {
        let secure_cookies = issuer.scheme() == "https";
        let origin = issuer.origin().ascii_serialization();
        Site(Arc::new(SiteInner { secure_cookies, mac, trusted_proxies, origin }))
    }
}

impl std::ops::Deref for Site {
    type Target = SiteInner;
    fn deref(&self) -> &SiteInner {
        &self.0
    }
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site").field("secure_cookies", &self.secure_cookies).finish_non_exhaustive()
    }
}
