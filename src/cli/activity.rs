use clap::Subcommand;

use super::CliError;
use super::output::emit;
use crate::accounts::activity::ActivityEntry;
use crate::app::AppState;
use crate::clock::rfc3339;

#[derive(Subcommand, Debug)]
pub enum ActivityCommand {
    /// Newest first. Page with --before <id of the last entry shown>.
    List {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long)]
        before: Option<i32>,
    },
}

fn line(e: &ActivityEntry) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.id,
        rfc3339(e.at),
        e.login_name,
        e.kind,
        e.login_type,
        e.client_id.as_deref().unwrap_or("-"),
        e.ip,
        e.detail
    )
}

pub async fn run(cmd: ActivityCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    let ActivityCommand::List { tenant, user, limit, before } = cmd;
    let accounts = &state.accounts;
    let t = accounts.tenant(&tenant).await?;
    let user_id = match user {
        Some(login) => Some(accounts.user(&tenant, &login).await?.1.id),
        None => None,
    };
    let entries = accounts.store.list_activity(t.id, user_id, before, limit.clamp(1, 1000)).await?;
    emit(json, &entries, |all| all.iter().map(line).collect::<Vec<_>>().join("\n"));
    Ok(())
}
