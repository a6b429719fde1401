use tokio::net::TcpListener;

use super::CliError;
use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::config::{Config, issuer_str};

pub async fn serve(config: Config) -> Result<(), CliError> {
    let listen = config.listen;
    let state = AppState::build(config, Clock::system()).await?;
    let listener = TcpListener::bind(listen).await.map_err(|e| CliError(format!("cannot listen on {listen}: {e}")))?;
    tracing::info!(
        address = %listen,
        issuer = %issuer_str(&state.config.issuer),
        database = state.accounts.operations().backends().0,
        ephemeral = state.accounts.operations().backends().1,
        "lanyard is listening"
    );
    app::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// Ctrl-C or SIGTERM: finish in-flight requests, then stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
