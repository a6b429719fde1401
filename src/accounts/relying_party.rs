//! F12: Lanyard as a WebAuthn relying party. Its id is the host of the origin people's browsers
//! show (the issuer's, or `webauthn_origin` behind another public name), and a ceremony from any
//! other origin is refused by the library. WebAuthn forbids IP addresses as relying-party ids:
//! such a deployment offers no passkeys, and start-up says why.

use std::sync::Arc;

use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// How long the browser waits for the person's key: a ceremony's own lifetime (F9).
pub const CEREMONY_SECS: u64 = 5 * 60;

/// The relying party, when the origin can be one.
#[derive(Clone)]
pub struct RelyingParty(Arc<Webauthn>, Arc<str>);

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RelyingParty").field(&self.0.get_allowed_origins()).finish()
    }
}

impl RelyingParty {
    /// `Err` says, for the operator, why `origin` cannot be a relying party.
    pub fn for_origin(origin: &Url) -> Result<Self, String> {
        let Some(host) = origin.domain() else {
            return Err(format!(
                "passkeys are off: WebAuthn needs a host name, not an IP address, in {origin} \
                 (use http://localhost:PORT in development, or set webauthn_origin)"
            ));
        };
        let webauthn = WebauthnBuilder::new(host, origin)
            .map(|b| b.rp_name("Lanyard").timeout(std::time::Duration::from_secs(CEREMONY_SECS)))
            .and_then(|b| b.build())
            .map_err(|e| format!("passkeys are off: {origin} cannot be a WebAuthn relying party: {e}"))?;
        Ok(RelyingParty(Arc::new(webauthn), host.into()))
    }

    pub fn webauthn(&self) -> &Webauthn {
        &self.0
    }

    /// The relying-party id (the host).
    pub fn id(&self) -> &str {
        &self.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f12_host_names_are_relying_parties_and_ip_addresses_are_not() {
        for ok in ["http://localhost:8080", "https://id.example.org"] {
            assert!(RelyingParty::for_origin(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for bad in ["http://127.0.0.1:8080", "http://[::1]:8080"] {
            let why = RelyingParty::for_origin(&Url::parse(bad).unwrap()).err().unwrap();
            assert!(why.contains("IP address"), "{why}");
        }
    }
}
