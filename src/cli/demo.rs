//! `lanyard demo`: the embedded defaults plus a seeded provider, so a newcomer can sign in
//! within a minute. Seeding is idempotent: a second start reuses what is there.

use tokio::net::TcpListener;

use super::CliError;
use super::serve::shutdown_signal;
use crate::accounts::Accounts;
use crate::accounts::admin::{Actor, Admin, AdminError};
use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::config::{Config, Environment, issuer_str};
use crate::demo_apps::{DemoApp, Peer};
use crate::domain::application::ClientMetadata;
use crate::domain::second_factor::MfaPolicy;
use crate::domain::tenant::TenantChanges;
use crate::domain::user::UserType;
use crate::secret::Secret;

pub const DEMO_TENANT: &str = "DEMO";

/// The platform's own staff: the demo's platform operator belongs here, not to an agency.
pub const PLATFORM_TENANT: &str = "PLATFORM";
const OPERATOR: (&str, &str) = ("operator", "Lanyard-Operator-1");

/// F4: a second agency whose administrators must use a second factor, so the demo shows the
/// authenticator-app setup at its administrator's first sign-in.
pub const CLINIC_TENANT: &str = "CLINIC";
const CLINIC_ADMIN: (&str, &str) = ("clinic-admin", "Lanyard-Clinic-1");

/// (login, type, password, must change at first sign-in)
const DEMO_USERS: &[(&str, UserType, &str, bool)] = &[
    ("alice", UserType::Regular, "Lanyard-Demo-1", false),
    ("admin", UserType::ProviderAdmin, "Lanyard-Admin-1", false),
    ("newstaff", UserType::Regular, "Start-Here-2026!", true),
];

/// Ports of the two demo applications (default: Lanyard's port + 1 and + 2).
#[derive(clap::Args, Debug, Default)]
pub struct DemoArgs {
    /// Port of "Care Records", the application unified login starts from.
    #[arg(long)]
    care_records_port: Option<u16>,
    /// Port of "Care Connect", the application it opens.
    #[arg(long)]
    care_connect_port: Option<u16>,
    /// Start only Lanyard, without the two demo applications.
    #[arg(long)]
    no_apps: bool,
}

pub async fn run(config: Config, args: DemoArgs) -> Result<(), CliError> {
    if config.environment == Environment::Production {
        return Err(CliError("demo refuses to run with environment = production".into()));
    }
    let listen = config.listen;
    let state = AppState::build(config, Clock::system()).await?;
    seed(&state.accounts).await?;
    let listener = TcpListener::bind(listen).await.map_err(|e| CliError(format!("cannot listen on {listen}: {e}")))?;
    let issuer = issuer_str(&state.config.issuer);
    let server = tokio::spawn(app::serve(listener, state.clone(), shutdown_signal()));
    println!("Lanyard demo is running.");
    println!("  Sign in:        {issuer}/login");
    println!("  Provider Code:  {DEMO_TENANT}   (case-sensitive)");
    for (login, user_type, password, must_change) in DEMO_USERS {
        let note = if *must_change { "  (must choose a new password)" } else { "" };
        println!("  {:<14}  password {password}  [{}]{note}", format!("{login}:"), user_type.label());
    }
    if !args.no_apps {
        let host = state.config.issuer.host_str().unwrap_or("localhost").to_string();
        let a_port = args.care_records_port.unwrap_or(listen.port().saturating_add(1));
        let b_port = args.care_connect_port.unwrap_or(listen.port().saturating_add(2));
        let a = start_apps(&state, &issuer, &host, listen.ip(), a_port, b_port).await?;
        println!("  Care Records:   {a}   (signs in through Lanyard; its button opens Care Connect)");
        println!("  Care Connect:   http://{host}:{b_port}");
    }
    println!("  Console:        {issuer}/admin   (sign in as admin above, or as the platform operator:)");
    println!(
        "  {:<14}  password {}  Provider Code {PLATFORM_TENANT}  [Platform operator]",
        format!("{}:", OPERATOR.0),
        OPERATOR.1
    );
    println!(
        "  {:<14}  password {}  Provider Code {CLINIC_TENANT}  [Provider Admin; sets up an authenticator app first]",
        format!("{}:", CLINIC_ADMIN.0),
        CLINIC_ADMIN.1
    );
    println!("  Status page:    {issuer}/status   (try: lanyard maintenance on --until 30m --message \"...\")");
    println!("  Data directory: {}", state.config.data_dir.display());
    println!("  Mail:           {}", state.accounts.operations().mail_destination());
    println!("Press Ctrl-C to stop.");
    server.await.map_err(|e| CliError(e.to_string()))??;
    Ok(())
}

/// Registers (or re-registers, for new ports) both applications, gives each a fresh secret,
/// and serves them. Returns Care Records' address.
async fn start_apps(
    state: &AppState,
    issuer: &str,
    host: &str,
    ip: std::net::IpAddr,
    a_port: u16,
    b_port: u16,
) -> Result<String, CliError> {
    let a_base = format!("http://{host}:{a_port}");
    let b_base = format!("http://{host}:{b_port}");
    let peer = Peer { client_id: "care-connect".into(), name: "Care Connect".into() };
    let apps = [
        ("care-records", "Care Records", "#1f5fbf", a_base.clone(), a_port, None, Some(peer)),
        ("care-connect", "Care Connect", "#1b7f4b", b_base.clone(), b_port, Some(format!("{b_base}/initiate")), None),
    ];
    for (id, name, colour, base, port, initiate, peer) in apps {
        let metadata: ClientMetadata = serde_json::from_value(serde_json::json!({
            "redirect_uris": [format!("{base}/callback")],
            "post_logout_redirect_uris": [format!("{base}/")],
            "backchannel_logout_uri": format!("{base}/backchannel-logout"),
            "initiate_login_uri": initiate,
            "token_endpoint_auth_method": "client_secret_basic",
        }))?;
        match state
            .accounts
            .admin(Actor::lanyard())
            .create_client(Some(id), name, &metadata, &[DEMO_TENANT.to_string()])
            .await
        {
            Ok(_) | Err(AdminError::Conflict(_)) => {
                state.accounts.admin(Actor::lanyard()).update_client(id, name, &metadata).await?
            }
            Err(e) => return Err(e.into()),
        }
        let secret = state.accounts.admin(Actor::lanyard()).rotate_client_secret(id).await?;
        let listener =
            TcpListener::bind((ip, port)).await.map_err(|e| CliError(format!("cannot listen on port {port}: {e}")))?;
        let app = DemoApp::new(name, colour, issuer, &base, id, secret.expose(), peer).await?;
        tokio::spawn(async move {
            if let Err(e) = app.serve(listener).await {
                tracing::error!(error = %e, "demo application stopped");
            }
        });
    }
    Ok(a_base)
}

pub async fn seed(accounts: &Accounts) -> Result<(), CliError> {
    // The demo's seed is Lanyard's own doing, and the activity record says so.
    let accounts = &accounts.admin(Actor::lanyard());
    match accounts.create_tenant(DEMO_TENANT, "Demo Agency").await {
        Ok(_) => {
            // S1, U1 and F10: the demo provider has self reset, unified login and signing in with
            // a passkey switched on, and its administrators' line on the sign-in help page.
            let changes = TenantChanges {
                self_reset_enabled: Some(true),
                unified_login_enabled: Some(true),
                passkey_sign_in: Some(true),
                help_contact: Some("Demo Agency front desk: 555-0100, ext. 214 (weekdays 8 am to 6 pm)".into()),
                ..TenantChanges::default()
            };
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
    seed_clinic(accounts).await?;
    seed_operator(accounts).await
}

/// F4: CLINIC requires a second factor of its administrators.
async fn seed_clinic(accounts: &Admin<'_>) -> Result<(), CliError> {
    match accounts.create_tenant(CLINIC_TENANT, "Demo Clinic").await {
        Ok(_) => {
            let changes = TenantChanges { mfa_policy: Some(MfaPolicy::Administrators), ..TenantChanges::default() };
            accounts.update_tenant(CLINIC_TENANT, &changes).await?;
        }
        Err(AdminError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let (login, password) = CLINIC_ADMIN;
    match accounts.create_user(CLINIC_TENANT, login, UserType::ProviderAdmin, &Secret::new(password), false).await {
        Ok(_) | Err(AdminError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A platform operator, so a newcomer can open every page of the console.
async fn seed_operator(accounts: &Admin<'_>) -> Result<(), CliError> {
    match accounts.create_tenant(PLATFORM_TENANT, "Lanyard platform").await {
        Ok(_) | Err(AdminError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let (login, password) = OPERATOR;
    match accounts.create_user(PLATFORM_TENANT, login, UserType::Regular, &Secret::new(password), false).await {
        Ok(_) => {
            accounts.set_platform_operator(PLATFORM_TENANT, login, true).await?;
        }
        Err(AdminError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
