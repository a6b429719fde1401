use clap::Subcommand;

use super::CliError;
use super::output::emit;
use crate::app::AppState;
use crate::clock::rfc3339;
use crate::oidc::key_ring::KeyInfo;
use crate::oidc::keys::Alg;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Signing keys that may still verify a live token.
    List,
    /// Add a key that signs after the grace period; older keys of that algorithm retire once
    /// every token they signed has expired.
    Rotate {
        /// RS256, ES256 or EdDSA (default: all three).
        #[arg(long)]
        alg: Option<String>,
    },
}

fn line(k: &KeyInfo) -> String {
    format!(
        "{}\t{}\tsigns from {}\t{}",
        k.kid,
        k.alg,
        rfc3339(k.active_from),
        k.retire_at.map(|t| format!("retires {}", rfc3339(t))).unwrap_or_default()
    )
}

pub async fn run(cmd: KeysCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    let ring = &state.oidc.ring;
    match cmd {
        KeysCommand::List => {
            let keys = ring.list().await?;
            emit(json, &keys, |all| all.iter().map(line).collect::<Vec<_>>().join("\n"));
        }
        KeysCommand::Rotate { alg } => {
            let algs = match alg {
                None => Alg::ALL.to_vec(),
                Some(a) => {
                    vec![Alg::parse(&a).ok_or_else(|| CliError(format!("--alg: {a} is not RS256, ES256 or EdDSA")))?]
                }
            };
            let t = state.config.tokens;
            let mut added = Vec::new();
            for alg in algs {
                added.push(ring.rotate(alg, t.key_rotation_grace, t.longest_signed()).await?);
            }
            emit(json, &added, |all| all.iter().map(line).collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(())
}
