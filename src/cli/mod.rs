//! The `lanyard` command: serve, migrate, demo, and the operator's admin commands.
//! Every command takes `--json` for scripts; errors are one line and a non-zero exit.

mod activity;
mod client;
mod demo;
mod invitation;
mod keys;
mod output;
mod recovery;
mod serve;
mod status;
mod tenant;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::AppState;
use crate::clock::Clock;
use crate::config::{self, Config};

#[derive(Parser, Debug)]
#[command(name = "lanyard", version, about = "An OpenID Connect identity provider")]
pub struct Cli {
    /// Settings file (default: ./lanyard.toml if it exists).
    #[arg(long, global = true, env = "LANYARD_CONFIG")]
    config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Administration commands: also print the log (migrations applied, development-key
    /// warnings) on stderr. `LANYARD_LOG_LEVEL` does the same.
    #[arg(long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Run the server with a seeded demo tenant, users and two demo applications.
    Demo(demo::DemoArgs),
    /// Providers (tenants).
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Users of a provider.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Invitations to create an account (P1, P2).
    #[command(subcommand)]
    Invitation(invitation::InvitationCommand),
    /// Super-admin recovery requests (A2), for platform operators.
    #[command(subcommand)]
    Recovery(recovery::RecoveryCommand),
    /// Client applications (relying parties).
    #[command(subcommand)]
    Client(Box<client::ClientCommand>),
    /// The user activity record (L7).
    #[command(subcommand)]
    Activity(activity::ActivityCommand),
    /// Signing keys: list, rotate.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Maintenance windows (M1): every page answers with the downtime notice while one is on.
    #[command(subcommand)]
    Maintenance(status::MaintenanceCommand),
    /// Incidents shown on the status page and in its feed (M2, M3).
    #[command(subcommand)]
    Incident(status::IncidentCommand),
}

/// One line on stderr, exit code 1: what operators script against.
#[derive(Debug)]
pub struct CliError(String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match load_config(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lanyard: {e}");
            return ExitCode::from(2);
        }
    };
    // An administration command prints its result and its errors, nothing else: the log is for
    // the server (and for whoever asks for it).
    let server = matches!(cli.command, Command::Serve | Command::Demo(_));
    let asked =
        cli.verbose || std::env::var_os("LANYARD_LOG_LEVEL").is_some() || std::env::var_os("RUST_LOG").is_some();
    if !server && !asked {
        config.log_level = "off".into();
    }
    crate::telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lanyard: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, cli.json, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError(message)) => {
            eprintln!("lanyard: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(explicit: Option<&std::path::Path>) -> Result<Config, config::ConfigError> {
    let default = PathBuf::from("lanyard.toml");
    let (path, named) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (default, false),
    };
    config::load(Some(&path), named, &|name| std::env::var(name).ok())
}

async fn run(command: Command, json: bool, config: Config) -> Result<(), CliError> {
    match command {
        Command::Serve => serve::serve(config).await,
        Command::Demo(args) => demo::run(config, args).await,
        Command::Migrate => {
            let state = AppState::build(config, Clock::system()).await?;
            let applied = state.accounts.operations().applied_migrations().await?;
            let (backend, _) = state.accounts.operations().backends();
            output::emit(json, &serde_json::json!({ "applied": applied, "backend": backend }), |_| {
                format!("database is up to date ({} migrations applied, {backend})", applied.len())
            });
            Ok(())
        }
        Command::Tenant(cmd) => tenant::run(cmd, json, &admin_state(config).await?).await,
        Command::User(cmd) => {
            let state = admin_state(config).await?;
            let result = user::run(cmd, json, &state).await;
            state.accounts.operations().flush_mail().await;
            // A lock, deactivation, deletion or new password ended the user's sessions: their
            // applications hear it by back channel before this process exits.
            state.deliver_logouts().await;
            result
        }
        Command::Invitation(cmd) => {
            let state = admin_state(config).await?;
            let result = invitation::run(cmd, json, &state).await;
            // Mail goes out in the background: it leaves before this process does, also after
            // an error that came later than the dispatch.
            state.accounts.operations().flush_mail().await;
            result
        }
        Command::Recovery(cmd) => {
            let state = admin_state(config).await?;
            let result = recovery::run(cmd, json, &state).await;
            state.accounts.operations().flush_mail().await;
            result
        }
        Command::Client(cmd) => client::run(*cmd, json, &admin_state(config).await?).await,
        Command::Activity(cmd) => activity::run(cmd, json, &admin_state(config).await?).await,
        Command::Keys(cmd) => keys::run(cmd, json, &admin_state(config).await?).await,
        Command::Maintenance(cmd) => status::maintenance(cmd, json, &admin_state(config).await?).await,
        Command::Incident(cmd) => status::incident(cmd, json, &admin_state(config).await?).await,
    }
}

async fn admin_state(config: Config) -> Result<AppState, CliError> {
    Ok(AppState::build(config, Clock::system()).await?)
}
