//! Layered settings: defaults → `lanyard.toml` → `LANYARD_*` environment → `LANYARD_*_FILE`.
//!
//! Every key is listed once in `sources::KEYS`; `deploy/config.example.toml` documents each of
//! them (a tidy test keeps the two in step). This file turns the raw values into a [`Config`]: an
//! invalid value stops start-up with one line naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::secret::Secret;

mod proxies;
mod sources;

pub use proxies::{Cidr, TrustedProxies};
pub use sources::{ConfigError, env_name, keys};
use sources::{Values, bad};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    pub listen: SocketAddr,
    pub issuer: url::Url,
    /// F12: the origin passkey ceremonies must come from (default: the issuer's own), for a
    /// deployment whose pages are reached under another public name.
    pub webauthn_origin: url::Url,
    pub data_dir: PathBuf,
    pub database_url: Secret,
    pub database_max_connections: u32,
    pub redis_url: Option<Secret>,
    pub redis_prefix: String,
    pub smtp_url: Option<Secret>,
    /// `/metrics` answers only to `Authorization: Bearer <metrics_token>`; unset, it is off.
    pub metrics_token: Option<Secret>,
    /// When set, `/metrics` is served on this address (an internal port) instead of `listen`.
    pub metrics_listen: Option<SocketAddr>,
    pub mail_from: String,
    /// `None` in development means "generate one under the data directory".
    pub secret_key: Option<Secret>,
    pub session_ttl_secs: i64,
    /// A Lanyard session nobody used for this long ends (absolute lifetime: `session_ttl_secs`).
    pub session_idle_secs: i64,
    /// U2: how long a unified-login hand-off may take from start to B's authorization request.
    pub unified_login_timeout_secs: i64,
    /// RFC 9449: DPoP on (the default) or off. Off while a cluster is upgraded from a release
    /// without it: an older node would take a DPoP-bound token as a bearer token.
    pub dpop: bool,
    /// RFC 9449 §8: how long a DPoP nonce's window lasts (a nonce is good for one to two); 0:
    /// proofs need no nonce.
    pub dpop_nonce_secs: i64,
    /// P1, P3: how long an invitation link and a staff-sent reset link work.
    pub invitation_ttl_secs: i64,
    /// Sign-in attempts a minute from one address at one provider code, and at one account.
    pub signin_limit_per_ip: u32,
    pub signin_limit_per_account: u32,
    /// Authorization requests one address may have waiting for a sign-in (10 minutes each).
    pub pending_authorizations_per_ip: u32,
    /// Seals signing keys at rest; `None` in development means the public dev key in `keys/dev/`.
    pub key_encryption_key: Option<Secret>,
    pub tokens: TokenLifetimes,
    pub argon2: Argon2Settings,
    pub hash_workers: usize,
    /// Password hashes that may wait for a worker; beyond them, 503 at once.
    pub hash_queue: usize,
    /// Whose `X-Forwarded-For` lines count; empty: the peer address is the client.
    pub trusted_proxies: TrustedProxies,
    pub limits: ConnectionLimits,
    pub log_format: LogFormat,
    pub log_level: String,
}

/// What a slow or greedy client may hold of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's line and headers must arrive within this many seconds.
    pub header_read_timeout_secs: u64,
    /// A request's body must arrive within this many seconds.
    pub body_read_timeout_secs: u64,
    /// A kept-alive connection with no request in flight is closed after this many seconds.
    pub idle_timeout_secs: u64,
    /// Open connections at once; more are accepted and closed at once.
    pub max_connections: usize,
}

/// Seconds each artefact lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub id_token: i64,
    pub access_token: i64,
    /// Access tokens that carry the `admin` scope: an administrator's power, kept short.
    pub admin_access_token: i64,
    pub refresh_token: i64,
    /// No refresh token outlives its grant's start by more than this, however often it rotates.
    pub refresh_token_absolute: i64,
    /// A new signing key is published this long before it signs, so caches pick it up.
    pub key_rotation_grace: i64,
    /// How often each node reads the signing keys again, so one rotated on another node (or by
    /// the CLI) is published and used everywhere without a restart.
    pub key_reload: i64,
    /// Each signing key is replaced once it is this old (`key_rotation_days`); 0: only by hand.
    pub key_rotation: i64,
}

impl TokenLifetimes {
    /// How long after its last use a retired key must still verify.
    pub fn longest_signed(&self) -> i64 {
        self.id_token.max(self.access_token).max(self.admin_access_token)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Settings {
    /// OWASP's argon2id baseline: m=19 MiB, t=2, p=1 (≈ 18 ms a verify on this project's CI).
    fn default() -> Self {
        Argon2Settings { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl Config {
    /// Cookies get the `__Host-` prefix and `Secure` only when the issuer is https.
    pub fn secure_cookies(&self) -> bool {
        self.issuer.scheme() == "https"
    }
}

/// Loads settings from `file` (if it exists, or if it was named explicitly) and `env`.
pub fn load(file: Option<&Path>, explicit: bool, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    build(sources::collect(file, explicit, env)?)
}

fn build(v: Values) -> Result<Config, ConfigError> {
    let environment = match v.text("environment")? {
        None => Environment::Development,
        Some((s, origin)) => match s.as_str() {
            "development" => Environment::Development,
            "production" => Environment::Production,
            _ => {
                return Err(bad(origin, format!("expected development or production, got {s:?}")));
            }
        },
    };
    let listen: SocketAddr = match v.text("listen")? {
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        Some((s, origin)) => {
            s.parse().map_err(|_| bad(origin, format!("{s:?} is not host:port (e.g. 127.0.0.1:8080)")))?
        }
    };
    let issuer = match v.text("issuer")? {
        None if environment == Environment::Production => {
            return Err(bad(&env_name("issuer"), "is required when environment = production (an https URL)"));
        }
        None => {
            url::Url::parse(&format!("http://localhost:{}", listen.port())).map_err(|e| bad("issuer", e.to_string()))?
        }
        Some((s, origin)) => parse_issuer(&s, environment).map_err(|m| bad(origin, m))?,
    };
    let webauthn_origin = match v.text("webauthn_origin")? {
        None => url::Url::parse(&issuer.origin().ascii_serialization()).map_err(|e| bad("issuer", e.to_string()))?,
        Some((s, origin)) => match url::Url::parse(&s) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() && u.path() == "/" => u,
            _ => return Err(bad(origin, format!("{s:?} is not an origin like https://id.example.org"))),
        },
    };
    let data_dir = PathBuf::from(v.text("data_dir")?.map(|(s, _)| s).unwrap_or_else(|| "data".into()));
    let database_url = match v.text("database_url")? {
        Some((s, origin)) => {
            if !(s.starts_with("sqlite:") || s.starts_with("postgres://") || s.starts_with("postgresql://")) {
                return Err(bad(origin, "expected a sqlite: or postgres:// URL"));
            }
            Secret::new(s)
        }
        None => Secret::new(format!("sqlite://{}?mode=rwc", data_dir.join("lanyard.db").display())),
    };
    let redis_url = match v.text("redis_url")? {
        Some((s, origin)) if !(s.starts_with("redis://") || s.starts_with("rediss://")) => {
            return Err(bad(origin, "expected a redis:// or rediss:// URL"));
        }
        other => other.map(|(s, _)| Secret::new(s)).filter(|s| !s.is_empty()),
    };
    let smtp_url = v.text("smtp_url")?.map(|(s, _)| Secret::new(s)).filter(|s| !s.is_empty());
    let metrics_token = v.text("metrics_token")?.map(|(s, _)| Secret::new(s)).filter(|s| !s.is_empty());
    if let Some(t) = &metrics_token
        && t.expose().len() < 16
    {
        return Err(bad(&env_name("metrics_token"), "must be at least 16 characters"));
    }
    let metrics_listen: Option<SocketAddr> = match v.text("metrics_listen")? {
        None => None,
        Some((s, _)) if s.is_empty() => None,
        Some((s, origin)) => {
            Some(s.parse().map_err(|_| bad(origin, format!("{s:?} is not host:port (e.g. 127.0.0.1:9090)")))?)
        }
    };
    if metrics_listen.is_some() && metrics_token.is_none() {
        return Err(bad(&env_name("metrics_listen"), "needs metrics_token: scrapers always present it"));
    }
    let secret_key = match v.text("secret_key")? {
        Some((s, origin)) if s.len() < 32 => {
            return Err(bad(origin, "must be at least 32 characters of random data"));
        }
        other => other.map(|(s, _)| Secret::new(s)),
    };
    if environment == Environment::Production && secret_key.is_none() {
        return Err(bad(&env_name("secret_key"), "is required when environment = production"));
    }
    let key_encryption_key = match v.text("key_encryption_key")? {
        Some((s, origin)) if s.len() < 32 => return Err(bad(origin, "must be at least 32 characters of random data")),
        other => other.map(|(s, _)| Secret::new(s)),
    };
    if environment == Environment::Production && key_encryption_key.is_none() {
        return Err(bad(
            &env_name("key_encryption_key"),
            "is required when environment = production (the dev key in keys/dev/ is public)",
        ));
    }
    let log_format = match v.text("log_format")? {
        None => LogFormat::Text,
        Some((s, origin)) => match s.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(bad(origin, format!("expected text or json, got {s:?}"))),
        },
    };
    let dpop = match v.text("dpop")? {
        None => true,
        Some((s, origin)) => match s.as_str() {
            "on" => true,
            "off" => false,
            _ => return Err(bad(origin, format!("expected on or off, got {s:?}"))),
        },
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    Ok(Config {
        environment,
        listen,
        issuer,
        webauthn_origin,
        data_dir,
        database_url,
        database_max_connections: v.number("database_max_connections", 10, 1, 1000)?,
        redis_url,
        redis_prefix: v.text("redis_prefix")?.map(|(s, _)| s).unwrap_or_else(|| "lanyard:".into()),
        smtp_url,
        metrics_token,
        metrics_listen,
        mail_from: v.text("mail_from")?.map(|(s, _)| s).unwrap_or_else(|| "Lanyard <no-reply@localhost>".into()),
        secret_key,
        session_ttl_secs: v.number("session_ttl_secs", 8 * 3600, 60, 30 * 24 * 3600)?,
        session_idle_secs: v.number("session_idle_secs", 2 * 3600, 60, 30 * 24 * 3600)?,
        unified_login_timeout_secs: v.number("unified_login_timeout_secs", 30, 5, 600)?,
        dpop,
        dpop_nonce_secs: v.number("dpop_nonce_secs", 60, 0, 3600)?,
        invitation_ttl_secs: v.number("invitation_ttl_secs", 48 * 3600, 3600, 30 * 24 * 3600)?,
        signin_limit_per_ip: v.number("signin_limit_per_ip", 120, 1, 1_000_000)?,
        signin_limit_per_account: v.number("signin_limit_per_account", 10, 1, 1_000_000)?,
        pending_authorizations_per_ip: v.number("pending_authorizations_per_ip", 300, 1, 10_000_000)?,
        key_encryption_key,
        tokens: TokenLifetimes {
            id_token: v.number("id_token_ttl_secs", 3600, 60, 24 * 3600)?,
            access_token: v.number("access_token_ttl_secs", 3600, 60, 24 * 3600)?,
            admin_access_token: v.number("admin_access_token_ttl_secs", 600, 60, 3600)?,
            refresh_token: v.number("refresh_token_ttl_secs", 30 * 24 * 3600, 300, 365 * 24 * 3600)?,
            refresh_token_absolute: v.number(
                "refresh_token_absolute_ttl_secs",
                90 * 24 * 3600,
                300,
                5 * 365 * 24 * 3600,
            )?,
            key_rotation_grace: v.number("key_rotation_grace_secs", 24 * 3600, 0, 30 * 24 * 3600)?,
            key_reload: v.number("key_reload_secs", 60, 1, 3600)?,
            key_rotation: v.number::<i64>("key_rotation_days", 90, 0, 3650)? * 86_400,
        },
        argon2: Argon2Settings {
            memory_kib: v.number("argon2_memory_kib", Argon2Settings::default().memory_kib, 8, 4 * 1024 * 1024)?,
            iterations: v.number("argon2_iterations", 2, 1, 100)?,
            parallelism: v.number("argon2_parallelism", 1, 1, 64)?,
        },
        hash_workers: v.number("hash_workers", cores, 1, 256)?,
        hash_queue: v.number("hash_queue", 64, 0, 100_000)?,
        trusted_proxies: match v.text("trusted_proxies")? {
            None => TrustedProxies::default(),
            Some((s, origin)) => TrustedProxies::parse(&s).map_err(|m| bad(origin, m))?,
        },
        limits: ConnectionLimits {
            header_read_timeout_secs: v.number("header_read_timeout_secs", 10, 1, 600)?,
            body_read_timeout_secs: v.number("body_read_timeout_secs", 30, 1, 3600)?,
            idle_timeout_secs: v.number("idle_timeout_secs", 60, 1, 3600)?,
            max_connections: v.number("max_connections", 1024, 1, 1_000_000)?,
        },
        log_format,
        log_level: v.text("log_level")?.map(|(s, _)| s).unwrap_or_else(|| "info".into()),
    })
}

/// OIDC Discovery §3: an https URL with no query or fragment; plain http only on loopback
/// outside production.
fn parse_issuer(s: &str, environment: Environment) -> Result<url::Url, String> {
    let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback && environment == Environment::Development => {}
        _ => {
            return Err(format!("{s:?} must be https (http only for localhost in development)"));
        }
    }
    // A trailing slash would make `iss` differ from what relying parties compare against.
    let mut url = url;
    if url.path() == "/" {
        url.set_path("");
    }
    Ok(url)
}

/// The issuer as a string without a trailing slash, as it appears in `iss`.
pub fn issuer_str(url: &url::Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = load(None, false, &env_of(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(issuer_str(&c.issuer), "http://localhost:8080");
        assert!(c.database_url.expose().starts_with("sqlite://"));
        assert!(c.redis_url.is_none());
    }

    #[test]
    fn env_overrides_file_and_names_the_key_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lanyard.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nsession_ttl_secs = 600\n").unwrap();
        let c = load(Some(&file), true, &env_of(&[("LANYARD_LISTEN", "127.0.0.1:7000")])).unwrap();
        assert_eq!(c.listen.port(), 7000);
        assert_eq!(c.session_ttl_secs, 600);

        let e = load(None, false, &env_of(&[("LANYARD_LISTEN", "nowhere")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: LANYARD_LISTEN: \"nowhere\" is not host:port (e.g. 127.0.0.1:8080)"
        );
        let e = load(None, false, &env_of(&[("LANYARD_SESSION_TTL_SECS", "soon")])).unwrap_err();
        assert!(e.to_string().starts_with("invalid configuration: LANYARD_SESSION_TTL_SECS:"), "{e}");
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lanyard.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let e = load(Some(&file), true, &env_of(&[])).unwrap_err();
        assert!(e.to_string().contains("lisen: unknown key"), "{e}");
    }

    #[test]
    fn secrets_can_come_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        std::fs::write(&file, format!("{}\n", "k".repeat(40))).unwrap();
        let path = file.display().to_string();
        let c = load(None, false, &env_of(&[("LANYARD_SECRET_KEY_FILE", &path)])).unwrap();
        assert_eq!(c.secret_key.unwrap().expose(), "k".repeat(40));
    }

    #[test]
    fn production_requires_an_https_issuer_even_when_none_is_set() {
        let key = "k".repeat(40);
        let prod = [
            ("LANYARD_ENVIRONMENT", "production"),
            ("LANYARD_SECRET_KEY", key.as_str()),
            ("LANYARD_KEY_ENCRYPTION_KEY", key.as_str()),
        ];
        let e = load(None, false, &env_of(&prod)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: LANYARD_ISSUER: is required when environment = production (an https URL)"
        );
        let mut with_issuer = prod.to_vec();
        with_issuer.push(("LANYARD_ISSUER", "https://id.example.org"));
        let c = load(None, false, &env_of(&with_issuer)).unwrap();
        assert!(c.secure_cookies());
    }

    #[test]
    fn trusted_proxies_parse_and_behind_proxy_is_refused_by_name() {
        let c = load(None, false, &env_of(&[("LANYARD_TRUSTED_PROXIES", "10.0.0.0/8, ::1")])).unwrap();
        assert!(c.trusted_proxies.trusts("10.3.2.1".parse().unwrap()));
        assert!(!c.trusted_proxies.trusts("11.0.0.1".parse().unwrap()));
        let e = load(None, false, &env_of(&[("LANYARD_TRUSTED_PROXIES", "10.0.0.0/40")])).unwrap_err();
        assert!(e.to_string().starts_with("invalid configuration: LANYARD_TRUSTED_PROXIES:"), "{e}");
        let e = load(None, false, &env_of(&[("LANYARD_BEHIND_PROXY", "true")])).unwrap_err();
        assert!(e.to_string().contains("trusted_proxies"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lanyard.toml");
        std::fs::write(&file, "behind_proxy = true\n").unwrap();
        let e = load(Some(&file), true, &env_of(&[])).unwrap_err();
        assert!(e.to_string().contains("replaced by trusted_proxies"), "{e}");
    }

    #[test]
    fn metrics_listen_is_an_address_and_needs_the_token() {
        let token = "m".repeat(16);
        let c = load(
            None,
            false,
            &env_of(&[("LANYARD_METRICS_TOKEN", &token), ("LANYARD_METRICS_LISTEN", "127.0.0.1:9090")]),
        )
        .unwrap();
        assert_eq!(c.metrics_listen, Some(SocketAddr::from(([127, 0, 0, 1], 9090))));
        assert!(load(None, false, &env_of(&[("LANYARD_METRICS_LISTEN", "127.0.0.1:9090")])).is_err(), "no token");
        let bad = [("LANYARD_METRICS_TOKEN", token.as_str()), ("LANYARD_METRICS_LISTEN", "port 9090")];
        assert!(load(None, false, &env_of(&bad)).is_err());
    }

    #[test]
    fn a_metrics_token_is_long_enough_to_be_a_secret() {
        let e = load(None, false, &env_of(&[("LANYARD_METRICS_TOKEN", "short")])).unwrap_err();
        assert!(e.to_string().contains("LANYARD_METRICS_TOKEN: must be at least 16 characters"), "{e}");
        let c = load(None, false, &env_of(&[("LANYARD_METRICS_TOKEN", &"m".repeat(16))])).unwrap();
        assert_eq!(c.metrics_token.unwrap().expose(), "m".repeat(16));
        assert!(load(None, false, &env_of(&[])).unwrap().metrics_token.is_none(), "off unless configured");
    }

    #[test]
    fn production_requires_https_and_a_secret_key() {
        let e = load(
            None,
            false,
            &env_of(&[("LANYARD_ENVIRONMENT", "production"), ("LANYARD_ISSUER", "https://id.example.org")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("LANYARD_SECRET_KEY"), "{e}");
        let key = "k".repeat(40);
        let e = load(
            None,
            false,
            &env_of(&[
                ("LANYARD_ENVIRONMENT", "production"),
                ("LANYARD_SECRET_KEY", &key),
                ("LANYARD_ISSUER", "http://localhost:8080"),
            ]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("must be https"), "{e}");
    }
}
