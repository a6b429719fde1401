//! Where settings come from: the table of keys, `lanyard.toml`, the `LANYARD_*` environment and
//! `LANYARD_*_FILE` for secrets, each raw value remembering its origin so an error names what the
//! operator actually wrote. `mod.rs` turns the values into a [`super::Config`].

use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    /// Text that may also come from `<ENV>_FILE` and is never printed.
    SecretText,
}

/// (file key, kind). The environment name is `LANYARD_` + the key in upper case.
const KEYS: &[(&str, Kind)] = &[
    ("environment", Kind::Text),
    ("listen", Kind::Text),
    ("issuer", Kind::Text),
    ("webauthn_origin", Kind::Text),
    ("data_dir", Kind::Text),
    ("database_url", Kind::SecretText),
    ("database_max_connections", Kind::Number),
    ("redis_url", Kind::SecretText),
    ("redis_prefix", Kind::Text),
    ("smtp_url", Kind::SecretText),
    ("mail_from", Kind::Text),
    ("secret_key", Kind::SecretText),
    ("metrics_token", Kind::SecretText),
    ("metrics_listen", Kind::Text),
    ("key_encryption_key", Kind::SecretText),
    ("key_rotation_grace_secs", Kind::Number),
    ("key_reload_secs", Kind::Number),
    ("key_rotation_days", Kind::Number),
    ("id_token_ttl_secs", Kind::Number),
    ("access_token_ttl_secs", Kind::Number),
    ("admin_access_token_ttl_secs", Kind::Number),
    ("refresh_token_ttl_secs", Kind::Number),
    ("refresh_token_absolute_ttl_secs", Kind::Number),
    ("session_ttl_secs", Kind::Number),
    ("session_idle_secs", Kind::Number),
    ("unified_login_timeout_secs", Kind::Number),
    ("dpop", Kind::Text),
    ("dpop_nonce_secs", Kind::Number),
    ("invitation_ttl_secs", Kind::Number),
    ("signin_limit_per_ip", Kind::Number),
    ("signin_limit_per_account", Kind::Number),
    ("pending_authorizations_per_ip", Kind::Number),
    ("argon2_memory_kib", Kind::Number),
    ("argon2_iterations", Kind::Number),
    ("argon2_parallelism", Kind::Number),
    ("hash_workers", Kind::Number),
    ("hash_queue", Kind::Number),
    ("trusted_proxies", Kind::Text),
    ("header_read_timeout_secs", Kind::Number),
    ("body_read_timeout_secs", Kind::Number),
    ("idle_timeout_secs", Kind::Number),
    ("max_connections", Kind::Number),
    ("log_format", Kind::Text),
    ("log_level", Kind::Text),
];

/// Keys that once existed, and what replaced them: naming one stops start-up rather than being
/// silently ignored.
const RETIRED: &[(&str, &str)] = &[
    ("behind_proxy", "was replaced by trusted_proxies: list your proxies' addresses or networks (e.g. \"10.0.0.0/8\")"),
    (
        "signin_limit_per_tenant",
        "was replaced by signin_limit_per_account (a limit per provider alone locked out a whole agency)",
    ),
];

pub fn env_name(key: &str) -> String {
    format!("LANYARD_{}", key.to_ascii_uppercase())
}

pub fn keys() -> impl Iterator<Item = &'static str> {
    KEYS.iter().map(|(k, _)| *k)
}

/// One clear line naming the key, e.g. `LANYARD_LISTEN: "x" is not host:port`.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

pub(super) fn bad(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_string(), message: message.into() }
}

/// Where a raw value came from, so the error names what the operator actually wrote.
struct Raw {
    value: toml::Value,
    origin: String,
}

/// The raw values from `file` (if it exists, or if it was named explicitly) and `env`, later
/// layers winning.
pub(super) fn collect(
    file: Option<&Path>,
    explicit: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Values, ConfigError> {
    let mut raw: Vec<(&'static str, Raw)> = Vec::new();
    if let Some(path) = file {
        match std::fs::read_to_string(path) {
            Ok(text) => read_file(path, &text, &mut raw)?,
            Err(e) if explicit || e.kind() != std::io::ErrorKind::NotFound => {
                return Err(bad(&path.display().to_string(), format!("cannot read: {e}")));
            }
            Err(_) => {}
        }
    }
    read_env(env, &mut raw)?;
    Ok(Values(raw))
}

fn read_file(path: &Path, text: &str, raw: &mut Vec<(&'static str, Raw)>) -> Result<(), ConfigError> {
    let origin = path.display().to_string();
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(&origin, e.message().to_string()))?;
    for (key, value) in table {
        if let Some((_, why)) = RETIRED.iter().find(|(k, _)| *k == key) {
            return Err(bad(&format!("{origin}: {key}"), *why));
        }
        let Some((name, _)) = KEYS.iter().find(|(k, _)| *k == key) else {
            return Err(bad(&format!("{origin}: {key}"), "unknown key"));
        };
        raw.retain(|(k, _)| k != name);
        raw.push((name, Raw { value, origin: format!("{origin}: {key}") }));
    }
    Ok(())
}

fn read_env(env: &dyn Fn(&str) -> Option<String>, raw: &mut Vec<(&'static str, Raw)>) -> Result<(), ConfigError> {
    for (key, why) in RETIRED {
        if env(&env_name(key)).is_some() {
            return Err(bad(&env_name(key), *why));
        }
    }
    for (key, kind) in KEYS {
        let name = env_name(key);
        let mut found = env(&name).map(|v| (v, name.clone()));
        if *kind == Kind::SecretText {
            let file_var = format!("{name}_FILE");
            if let Some(path) = env(&file_var) {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| bad(&file_var, format!("cannot read {path}: {e}")))?;
                found = Some((text.trim_end_matches(['\n', '\r']).to_string(), file_var));
            }
        }
        let Some((text, origin)) = found else {
            continue;
        };
        let value = match kind {
            Kind::Text | Kind::SecretText => toml::Value::String(text),
            Kind::Number => toml::Value::Integer(
                text.trim().parse().map_err(|_| bad(&origin, format!("expected a whole number, got {text:?}")))?,
            ),
        };
        raw.retain(|(k, _)| k != key);
        raw.push((key, Raw { value, origin }));
    }
    Ok(())
}

pub(super) struct Values(Vec<(&'static str, Raw)>);

impl Values {
    pub(super) fn text(&self, key: &str) -> Result<Option<(String, &str)>, ConfigError> {
        match self.0.iter().find(|(k, _)| *k == key) {
            None => Ok(None),
            Some((_, raw)) => match &raw.value {
                toml::Value::String(s) => Ok(Some((s.clone(), raw.origin.as_str()))),
                other => Err(bad(&raw.origin, format!("expected text, got {}", other.type_str()))),
            },
        }
    }

    pub(super) fn number<T: TryFrom<i64>>(&self, key: &str, default: T, min: i64, max: i64) -> Result<T, ConfigError> {
        match self.0.iter().find(|(k, _)| *k == key) {
            None => Ok(default),
            Some((_, raw)) => match raw.value {
                toml::Value::Integer(n) if (min..=max).contains(&n) => {
                    T::try_from(n).map_err(|_| bad(&raw.origin, format!("{n} is out of range")))
                }
                toml::Value::Integer(n) => Err(bad(&raw.origin, format!("{n} is outside {min}..={max}"))),
                ref other => Err(bad(&raw.origin, format!("expected a whole number, got {}", other.type_str()))),
            },
        }
    }
}
