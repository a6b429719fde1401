use clap::Subcommand;

use super::CliError;
use super::output::{emit, on_off, print_pages};
use crate::accounts::admin::Actor;
use crate::app::AppState;
use crate::domain::listing::MAX_LIMIT;
use crate::domain::second_factor::{KeyModelChanges, MfaPolicy};
use crate::domain::tenant::{Tenant, TenantChanges};

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Create a provider. The provider code is case-sensitive (T1).
    Create {
        code: String,
        #[arg(long)]
        name: String,
    },
    List,
    Show {
        code: String,
    },
    /// F11: the security-key models the provider accepts for its administrators.
    #[command(subcommand)]
    KeyModel(KeyModelCommand),
    /// Change a provider's settings.
    Set {
        code: String,
        #[arg(long)]
        name: Option<String>,
        /// on|off: an inactive provider's users cannot sign in (T1).
        #[arg(long, value_parser = on_off)]
        active: Option<bool>,
        /// on|off: self password reset for this provider (S1).
        #[arg(long, value_parser = on_off)]
        self_reset: Option<bool>,
        /// on|off: unified login (U1).
        #[arg(long, value_parser = on_off)]
        unified_login: Option<bool>,
        /// Maximum number of incorrect passwords tolerated (L3).
        #[arg(long)]
        max_failed_attempts: Option<u32>,
        /// Stricter minimum password length (8..=64).
        #[arg(long)]
        min_password_length: Option<u32>,
        /// Refuse the last N passwords.
        #[arg(long)]
        password_history: Option<u32>,
        /// on: NIST SP 800-63B rules (15+ characters, no composition rules); off: PRODUCT.md L5.
        #[arg(long, value_parser = on_off)]
        nist_policy: Option<bool>,
        /// One line on the sign-in help page, shown to someone who types this provider code
        /// ("Front office, ext. 214"); "" removes it.
        #[arg(long)]
        help_contact: Option<String>,
        /// F4, F9: who must use a second factor: off, optional, administrators, everyone,
        /// passkey_administrators or passkey_everyone (a passkey or security key).
        #[arg(long, value_parser = mfa_policy)]
        mfa_policy: Option<MfaPolicy>,
        /// on|off: F10, a passkey that verifies its holder signs in without the password.
        #[arg(long, value_parser = on_off)]
        passkey_sign_in: Option<bool>,
        /// G1: the language of the provider's pages and mails where nothing else decides
        /// (en, es).
        #[arg(long)]
        default_language: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeyModelCommand {
    List {
        code: String,
    },
    /// List (or replace) a model: its AAGUID, a name, and the maker's attestation CA (PEM file).
    Set {
        code: String,
        #[arg(long)]
        aaguid: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        ca_file: std::path::PathBuf,
    },
    Remove {
        code: String,
        #[arg(long)]
        aaguid: String,
    },
}

fn mfa_policy(s: &str) -> Result<MfaPolicy, String> {
    MfaPolicy::parse(s)
        .ok_or_else(|| "use off, optional, administrators, everyone, passkey_administrators or passkey_everyone".into())
}

fn line(t: &Tenant) -> String {
    format!(
        "{}\t{}\t{}\tmax-failed-attempts={}\tself-reset={}\tunified-login={}\tsecond-factor={}\tpasskey-sign-in={}\tlanguage={}",
        t.provider_code,
        t.name,
        if t.active { "active" } else { "inactive" },
        t.password_policy.max_failed_attempts,
        on(t.self_reset_enabled),
        on(t.unified_login_enabled),
        t.mfa_policy.as_str(),
        on(t.passkey_sign_in),
        t.default_language,
    )
}

fn on(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

pub async fn run(cmd: TenantCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    match cmd {
        TenantCommand::Create { code, name } => emit(json, &accounts.create_tenant(&code, &name).await?, line),
        TenantCommand::List => {
            print_pages(json, async |from| accounts.tenants_page(None, from, MAX_LIMIT).await, line).await?;
        }
        TenantCommand::Show { code } => emit(json, &accounts.tenant(&code).await?, line),
        TenantCommand::KeyModel(KeyModelCommand::List { code }) => {
            let models = accounts.key_models(&code).await?;
            emit(json, &models, |all| {
                all.iter().map(|m| format!("{}\t{}", m.aaguid, m.name)).collect::<Vec<_>>().join("\n")
            });
        }
        TenantCommand::KeyModel(KeyModelCommand::Set { code, aaguid, name, ca_file }) => {
            let attestation_ca =
                std::fs::read_to_string(&ca_file).map_err(|e| CliError::from(format!("{}: {e}", ca_file.display())))?;
            let changes = KeyModelChanges { name, attestation_ca };
            let model = accounts.put_key_model(&code, &aaguid, &changes).await?;
            emit(json, &model, |m| format!("{}\t{}", m.aaguid, m.name));
        }
        TenantCommand::KeyModel(KeyModelCommand::Remove { code, aaguid }) => {
            accounts.remove_key_model(&code, &aaguid).await?;
        }
        TenantCommand::Set {
            code,
            name,
            active,
            self_reset,
            unified_login,
            max_failed_attempts,
            min_password_length,
            password_history,
            nist_policy,
            help_contact,
            mfa_policy,
            passkey_sign_in,
            default_language,
        } => {
            let changes = TenantChanges {
                name,
                active,
                self_reset_enabled: self_reset,
                unified_login_enabled: unified_login,
                max_failed_attempts,
                min_password_length,
                password_history,
                nist_mode: nist_policy,
                help_contact,
                mfa_policy,
                passkey_sign_in,
                default_language,
            };
            emit(json, &accounts.update_tenant(&code, &changes).await?, line);
        }
    }
    Ok(())
}
