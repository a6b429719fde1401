//! `lanyard recovery`: A2's super-admin recovery requests from a shell, for platform operators:
//! list them, approve (mails the link), refuse, or withdraw an approval (the link stops working).

use clap::Subcommand;

use super::CliError;
use super::output::emit;
use crate::accounts::admin::Actor;
use crate::app::AppState;
use crate::clock::rfc3339;
use crate::config::issuer_str;
use crate::domain::recovery::{RecoveryRequest, RecoveryRequestListed, RecoveryStatus};

#[derive(Subcommand, Debug)]
pub enum RecoveryCommand {
    /// The requests, newest first (pending ones unless --status says otherwise).
    List {
        /// pending, approved, refused, completed, withdrawn, voided or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Approve: a single-use link (48 hours) goes to the super admin's verified address.
    Approve { id: i32 },
    /// Refuse a pending request.
    Refuse { id: i32 },
    /// Take an approval back: the mailed link no longer works.
    Withdraw { id: i32 },
}

fn line(r: &RecoveryRequest) -> String {
    let decided = r.decided_at.map(rfc3339).unwrap_or_else(|| "-".into());
    format!("{}\t{}\trequested {}\tdecided {decided}", r.id, r.status.as_str(), rfc3339(r.requested_at))
}

fn listed(r: &RecoveryRequestListed) -> String {
    format!("{}\t{}/{}", line(&r.request), r.provider_code, r.login_name)
}

pub async fn run(cmd: RecoveryCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    let request = match cmd {
        RecoveryCommand::List { status } => {
            let status = match status.as_str() {
                "all" => None,
                s => Some(RecoveryStatus::parse(s).ok_or_else(|| {
                    CliError::from(format!(
                        "--status {s:?}: use pending, approved, refused, completed, withdrawn, voided or all"
                    ))
                })?),
            };
            let all = accounts.recovery_requests(status).await?;
            emit(json, &all, |all| all.iter().map(listed).collect::<Vec<_>>().join("\n"));
            return Ok(());
        }
        RecoveryCommand::Approve { id } => accounts.approve_recovery(id, &issuer_str(&state.config.issuer)).await?,
        RecoveryCommand::Refuse { id } => accounts.refuse_recovery(id).await?,
        RecoveryCommand::Withdraw { id } => accounts.withdraw_recovery(id).await?,
    };
    emit(json, &request, line);
    Ok(())
}
