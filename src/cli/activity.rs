use clap::Subcommand;

use super::CliError;
use super::output::emit;
use crate::app::AppState;
use crate::clock::rfc3339;
use crate::domain::activity::ActivityEntry;

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
    let user = match user {
        Some(login) => Some(accounts.user(&tenant, &login).await?.1),
        None => None,
    };
    let entries = accounts.activity(&t, user.as_ref(), before, limit).await?;
    emit(json, &entries, |all| all.iter().map(line).collect::<Vec<_>>().join("\n"));
    Ok(())
}
