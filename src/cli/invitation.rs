//! `lanyard invitation`: P1–P2 from a shell. Disabling an account is `lanyard user deactivate`
//! (one concept, not two); a reset link for an existing account is `lanyard user send-reset-link`.

use clap::Subcommand;

use super::CliError;
use super::output::{emit, print_pages};
use crate::accounts::admin::Actor;
use crate::app::AppState;
use crate::clock::rfc3339;
use crate::config::issuer_str;
use crate::domain::invitation::{Invitation, InvitationListed};
use crate::domain::listing::MAX_LIMIT;

#[derive(Subcommand, Debug)]
pub enum InvitationCommand {
    /// Invite a person by email to create an account (the link works 48 hours, once).
    Send {
        #[arg(long)]
        tenant: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
    /// Send a new link; the earlier one stops working.
    Resend {
        #[arg(long)]
        tenant: String,
        id: i32,
    },
    /// Every invitee and their portal status: invited, expired, active, disabled, revoked.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Withdraw a pending invitation: its link stops working.
    Revoke {
        #[arg(long)]
        tenant: String,
        id: i32,
    },
}

fn line(i: &Invitation) -> String {
    format!("{}\t{}\t{}\t{}\texpires {}", i.id, i.name, i.email, i.status.as_str(), rfc3339(i.expires_at))
}

fn listed(i: &InvitationListed) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\tsent {}\texpires {}",
        i.invitation.id,
        i.invitation.name,
        i.invitation.email,
        i.portal_status,
        i.login_name.as_deref().unwrap_or("-"),
        rfc3339(i.invitation.sent_at),
        rfc3339(i.invitation.expires_at)
    )
}

pub async fn run(cmd: InvitationCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    let base = issuer_str(&state.config.issuer);
    let invitation = match cmd {
        InvitationCommand::Send { tenant, name, email } => accounts.invite(&tenant, &name, &email, &base).await?,
        InvitationCommand::Resend { tenant, id } => accounts.resend_invitation(&tenant, id, &base).await?,
        InvitationCommand::Revoke { tenant, id } => accounts.revoke_invitation(&tenant, id).await?,
        InvitationCommand::List { tenant } => {
            // Page by page, each printed as it comes: a provider is never held whole.
            print_pages(json, async |from| accounts.invitations(&tenant, from, MAX_LIMIT).await, listed).await?;
            return Ok(());
        }
    };
    emit(json, &invitation, line);
    Ok(())
}
