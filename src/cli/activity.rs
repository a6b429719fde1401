use clap::Subcommand;

use super::CliError;
use super::output::emit;
use crate::accounts::admin::Actor;
use crate::app::AppState;
use crate::clock::rfc3339;
use crate::domain::activity::{ActivityEntry, ActivityQuery};

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
        /// Only this kind (sign_in, sign_in_failed, locked, admin_action, password_reset, …).
        #[arg(long)]
        kind: Option<String>,
        /// Only entries about this application.
        #[arg(long)]
        client_id: Option<String>,
        /// Unix seconds, inclusive.
        #[arg(long)]
        since: Option<i64>,
        #[arg(long)]
        until: Option<i64>,
        /// CSV, as the administration API's export writes it.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
}

fn line(e: &ActivityEntry) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.id,
        rfc3339(e.at),
        e.login_name,
        e.kind,
        e.login_type,
        e.client_id.as_deref().unwrap_or("-"),
        e.ip,
        if e.actor.is_empty() { "-" } else { &e.actor },
        e.detail
    )
}

pub async fn run(cmd: ActivityCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    let ActivityCommand::List { tenant, user, limit, before, kind, client_id, since, until, csv } = cmd;
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    let t = accounts.tenant(&tenant).await?;
    let user = match user {
        Some(login) => Some(accounts.user(&tenant, &login).await?.1),
        None => None,
    };
    let query = ActivityQuery { user_id: user.map(|u| u.id), kind, client_id, since, until, before, limit };
    let entries = accounts.activity_matching(&t, &query).await?;
    if csv {
        let body: String = entries.iter().map(crate::admin::activity::csv_line).collect();
        print!("{}{body}", crate::admin::activity::CSV_HEADER);
        return Ok(());
    }
    emit(json, &entries, |all| all.iter().map(line).collect::<Vec<_>>().join("\n"));
    Ok(())
}
