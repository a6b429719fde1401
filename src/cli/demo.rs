//! `lanyard demo`: the embedded defaults plus a seeded provider, so a newcomer can sign in
//! within a minute. Seeding is idempotent: a second start reuses what is there.

use tokio::net::TcpListener;

use super::CliError;
use super::serve::shutdown_signal;
use crate::accounts::Accounts;
use crate::accounts::admin::AdminError;
use crate::accounts::tenant::TenantChanges;
use crate::accounts::user::UserType;
use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::config::{Config, Environment, issuer_str};
use crate::secret::Secret;

pub const DEMO_TENANT: &str = "DEMO";

/// (login, type, password, must change at first sign-in)
const DEMO_USERS: &[(&str, UserType, &str, bool)] = &[
    ("alice", UserType::Regular, "Lanyard-Demo-1", false),
    ("admin", UserType::ProviderAdmin, "Lanyard-Admin-1", false),
    ("newstaff", UserType::Regular, "Start-Here-2026!", true),
];

pub async fn run(config: Config) -> Result<(), CliError> {
    if config.environment == Environment::Production {
        return Err(CliError("demo refuses to run with environment = production".into()));
    }
    let listen = config.listen;
    let state = AppState::build(config, Clock::system()).await?;
    seed(&state.accounts).await?;
    let listener = TcpListener::bind(listen).await.map_err(|e| CliError(format!("cannot listen on {listen}: {e}")))?;
    let issuer = issuer_str(&state.config.issuer);
    println!("Lanyard demo is running.");
    println!("  Sign in:        {issuer}/login");
    println!("  Provider Code:  {DEMO_TENANT}   (case-sensitive)");
    for (login, user_type, password, must_change) in DEMO_USERS {
        let note = if *must_change { "  (must choose a new password)" } else { "" };
        println!("  {:<14}  password {password}  [{}]{note}", format!("{login}:"), user_type.label());
    }
    println!("  Data directory: {}", state.config.data_dir.display());
    println!("  Mail:           {}", state.accounts.outbox.describe());
    println!("Press Ctrl-C to stop.");
    app::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

pub async fn seed(accounts: &Accounts) -> Result<(), CliError> {
    match accounts.create_tenant(DEMO_TENANT, "Demo Agency").await {
        Ok(_) => {
            let changes = TenantChanges { self_reset_enabled: Some(true), ..TenantChanges::default() };
            accounts.update_tenant(DEMO_TENANT, &changes).await?;
        }
        Err(AdminError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    for (login, user_type, password, must_change) in DEMO_USERS {
        match accounts.create_user(DEMO_TENANT, login, *user_type, &Secret::new(*password), *must_change).await {
            Ok(_) => {
                // S1: the demo provider lets its users set up self password reset.
                accounts.set_user_self_reset(DEMO_TENANT, login, true).await?;
            }
            Err(AdminError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
