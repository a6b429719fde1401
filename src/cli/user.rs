use std::io::BufRead;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::CliError;
use super::output::{emit, print_pages};
use crate::accounts::admin::Actor;
use crate::accounts::admin::StatusChange;
use crate::app::AppState;
use crate::domain::listing::MAX_LIMIT;
use crate::domain::user::{User, UserType};
use crate::domain::user_search::UserSearch;
use crate::secret::Secret;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a temporary password is generated and printed
    /// once; either way the user chooses a new password at first sign-in (L4) unless --permanent.
    Create {
        #[command(flatten)]
        who: Who,
        #[arg(long = "type", value_enum, default_value_t = TypeArg::Regular)]
        user_type: TypeArg,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Do not require a change at first sign-in.
        #[arg(long)]
        permanent: bool,
    },
    List {
        #[arg(long)]
        tenant: String,
    },
    Show {
        #[command(flatten)]
        who: Who,
    },
    /// Set a password (A1), also on a locked account. --temporary: must change at next sign-in.
    SetPassword {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        temporary: bool,
    },
    /// Change a user's settings.
    Set {
        #[command(flatten)]
        who: Who,
        /// on|off: self password reset for this user (S1; the provider must allow it too).
        #[arg(long, value_parser = super::output::on_off)]
        self_reset: Option<bool>,
        /// The user's address (unverified until the user confirms it in Settings).
        #[arg(long)]
        email: Option<String>,
    },
    /// A user's status in one application (T4): active, admin_locked or deactivated.
    AppAccess {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        client: String,
        #[arg(long)]
        status: String,
    },
    /// P3: mail a password-reset link (48 hours, single use) to the address on file; the mail
    /// does not show the username. A new link voids the earlier one.
    SendResetLink {
        #[command(flatten)]
        who: Who,
    },
    /// F6: show the user's second factors (never a secret); with --reset, remove the app and
    /// the recovery codes and end every session of the user.
    SecondFactors {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        reset: bool,
    },
    /// Admin-lock the account (T3).
    Lock {
        #[command(flatten)]
        who: Who,
    },
    /// Lift a password lock or an admin lock.
    Unlock {
        #[command(flatten)]
        who: Who,
    },
    Deactivate {
        #[command(flatten)]
        who: Who,
    },
    Reactivate {
        #[command(flatten)]
        who: Who,
    },
    Delete {
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Args, Debug)]
pub struct Who {
    /// Provider code (case-sensitive).
    #[arg(long)]
    tenant: String,
    /// Login name (any capitalisation).
    login: String,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TypeArg {
    Regular,
    ProviderAdmin,
    SuperAdmin,
}

impl From<TypeArg> for UserType {
    fn from(t: TypeArg) -> Self {
        match t {
            TypeArg::Regular => UserType::Regular,
            TypeArg::ProviderAdmin => UserType::ProviderAdmin,
            TypeArg::SuperAdmin => UserType::SuperAdmin,
        }
    }
}

fn line(u: &User) -> String {
    format!(
        "{}\t{}\t{}{}",
        u.login_name.as_str(),
        u.user_type.as_str(),
        u.status.as_str(),
        if u.must_change_password { "\tmust-change-password" } else { "" }
    )
}

/// A generated password is shown once and always temporary.
#[derive(Serialize)]
struct WithPassword<'a> {
    #[serde(flatten)]
    user: &'a User,
    #[serde(skip_serializing_if = "Option::is_none")]
    temporary_password: Option<&'a str>,
}

async fn read_password(state: &AppState, tenant: &str, from_stdin: bool) -> Result<(Secret, bool), CliError> {
    if !from_stdin {
        let min = state.accounts.admin(Actor::operator()).tenant(tenant).await?.password_policy.min_length;
        return Ok((crate::accounts::admin::temporary_password(min), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok((Secret::new(line.trim_end_matches(['\r', '\n'])), false))
}

pub async fn run(cmd: UserCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    let status = |who: Who, change| async move { accounts.change_status(&who.tenant, &who.login, change).await };
    let user = match cmd {
        UserCommand::Create { who, user_type, password_stdin, permanent } => {
            let (password, generated) = read_password(state, &who.tenant, password_stdin).await?;
            let temporary = generated || !permanent;
            let user = accounts.create_user(&who.tenant, &who.login, user_type.into(), &password, temporary).await?;
            let shown = generated.then_some(password.expose());
            emit(json, &WithPassword { user: &user, temporary_password: shown }, |w| match w.temporary_password {
                Some(p) => format!("{}\ntemporary password (shown once): {p}", line(w.user)),
                None => line(w.user),
            });
            return Ok(());
        }
        UserCommand::SetPassword { who, password_stdin, temporary } => {
            let (password, generated) = read_password(state, &who.tenant, password_stdin).await?;
            let user = accounts.set_password(&who.tenant, &who.login, &password, temporary || generated).await?;
            let shown = generated.then_some(password.expose());
            emit(json, &WithPassword { user: &user, temporary_password: shown }, |w| match w.temporary_password {
                Some(p) => format!("{}\ntemporary password (shown once): {p}", line(w.user)),
                None => line(w.user),
            });
            return Ok(());
        }
        UserCommand::List { tenant } => {
            let t = accounts.tenant(&tenant).await?;
            // Page by page, each printed as it comes: a provider is never held whole.
            print_pages(
                json,
                async |from| accounts.users_page(&t, &UserSearch::default(), from, MAX_LIMIT).await,
                line,
            )
            .await?;
            return Ok(());
        }
        UserCommand::Show { who } => accounts.user(&who.tenant, &who.login).await?.1,
        UserCommand::AppAccess { who, client, status } => {
            accounts.set_app_access(&who.tenant, &who.login, &client, &status).await?
        }
        UserCommand::Set { who, self_reset, email } => {
            if let Some(email) = email {
                accounts.set_user_email(&who.tenant, &who.login, &email).await?;
            }
            match self_reset {
                Some(on) => accounts.set_user_self_reset(&who.tenant, &who.login, on).await?,
                None => accounts.user(&who.tenant, &who.login).await?.1,
            }
        }
        UserCommand::SendResetLink { who } => {
            let base = crate::config::issuer_str(&state.config.issuer);
            accounts.send_reset_link(&who.tenant, &who.login, &base).await?
        }
        UserCommand::SecondFactors { who, reset } => {
            let factors = if reset {
                accounts.reset_second_factors(&who.tenant, &who.login).await?
            } else {
                accounts.second_factors_of(&who.tenant, &who.login).await?
            };
            emit(json, &factors, |f| {
                let mut lines: Vec<String> = f
                    .authenticator_app
                    .iter()
                    .map(|app| {
                        format!(
                            "authenticator app since {}\t{} recovery codes left",
                            app.created_at, f.recovery_codes_left
                        )
                    })
                    .collect();
                lines.extend(f.passkeys.iter().map(|k| format!("passkey\t{}\tsince {}", k.name, k.created_at)));
                if lines.is_empty() { "no second factor".into() } else { lines.join("\n") }
            });
            return Ok(());
        }
        UserCommand::Lock { who } => status(who, StatusChange::AdminLock).await?,
        UserCommand::Unlock { who } => status(who, StatusChange::Unlock).await?,
        UserCommand::Deactivate { who } => status(who, StatusChange::Deactivate).await?,
        UserCommand::Reactivate { who } => status(who, StatusChange::Reactivate).await?,
        UserCommand::Delete { who } => status(who, StatusChange::Delete).await?,
    };
    emit(json, &user, line);
    Ok(())
}
