//! `Site`: what every HTTP surface needs to speak to a browser — whether cookies are `Secure`
//! (`__Host-`), the MAC key for CSRF tokens, and whether a proxy's `X-Forwarded-For` is trusted.
//! Handlers take it as an axum sub-state (`State<Site>`), never the whole application.

use std::sync::Arc;

use crate::secret::Mac;

#[derive(Clone)]
pub struct Site(Arc<SiteInner>);

pub struct SiteInner {
    /// The issuer is https: cookies are `Secure` with the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Keyed with the deployment's secret key: CSRF tokens.
    pub mac: Mac,
    pub behind_proxy: bool,
}

impl Site {
    pub fn new(secure_cookies: bool, mac: Mac, behind_proxy: bool) -> Self {
        Site(Arc::new(SiteInner { secure_cookies, mac, behind_proxy }))
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
