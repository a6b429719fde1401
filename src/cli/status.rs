//! M1–M3 from a shell: `lanyard maintenance on|off|show` and `lanyard incident open|resolve`.
//! Every node serves a window switched on here within seconds (they read it from the database).

use clap::Subcommand;

use super::CliError;
use super::output::emit;
use crate::accounts::admin::Actor;
use crate::accounts::service_status::MaintenanceWindow;
use crate::app::AppState;
use crate::clock::rfc3339;
use crate::domain::service_status::StatusEvent;

#[derive(Subcommand, Debug)]
pub enum MaintenanceCommand {
    /// Announce a maintenance window; from its start every page answers with the downtime notice
    /// until `maintenance off`.
    On {
        /// When people can expect the service back: RFC 3339 (2026-12-24T06:00:00Z) or a
        /// duration from now (90m, 2h, 1d).
        #[arg(long)]
        until: String,
        /// What the notice says (one line, at most 500 characters).
        #[arg(long)]
        message: String,
        /// Where to read more during the downtime (http or https).
        #[arg(long)]
        link: Option<String>,
        /// Announce it for later: RFC 3339 or a duration from now (default: now).
        #[arg(long)]
        from: Option<String>,
    },
    /// End the maintenance window (begun or announced).
    Off,
    /// The open windows and incidents, and the recent history.
    Show,
}

#[derive(Subcommand, Debug)]
pub enum IncidentCommand {
    /// Show an incident on the status page and in its feed.
    Open {
        #[arg(long)]
        message: String,
        #[arg(long)]
        link: Option<String>,
    },
    /// Mark the open incident resolved.
    Resolve,
}

/// RFC 3339, or a duration from `now` such as `90m`, `2h`, `1d`, `45s`.
fn when(arg: &str, flag: &str, now: i64) -> Result<i64, CliError> {
    let bad =
        || CliError(format!("{flag}: {arg} is neither a time (2026-12-24T06:00:00Z) nor a duration (90m, 2h, 1d)"));
    if let Ok(t) = time::OffsetDateTime::parse(arg, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let (number, unit) = arg.split_at(arg.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).and_then(|s| now.checked_add(s)).ok_or_else(bad)
}

fn line(e: &StatusEvent) -> String {
    format!(
        "{}\t{}\tfrom {}{}{}\t{}{}",
        e.id,
        e.kind.as_str(),
        rfc3339(e.starts_at),
        e.until.map(|t| format!(" until {}", rfc3339(t))).unwrap_or_default(),
        e.ended_at.map(|t| format!(" (ended {})", rfc3339(t))).unwrap_or_default(),
        e.message,
        e.link.as_deref().map(|l| format!(" <{l}>")).unwrap_or_default(),
    )
}

pub async fn maintenance(cmd: MaintenanceCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    // "2h" is two hours from the operator's wall clock.
    let now = crate::clock::Clock::system().now();
    match cmd {
        MaintenanceCommand::On { until, message, link, from } => {
            let until = when(&until, "--until", now)?;
            let from = from.map(|f| when(&f, "--from", now)).transpose()?;
            let window = MaintenanceWindow { message: &message, link: link.as_deref(), from, until };
            let event = accounts.maintenance_on(&window).await?;
            emit(json, &event, line);
        }
        MaintenanceCommand::Off => {
            let ended = accounts.maintenance_off().await?;
            emit(json, &serde_json::json!({ "ended": ended }), |_| {
                if ended { "maintenance ended".into() } else { "no maintenance window was open".into() }
            });
        }
        MaintenanceCommand::Show => {
            let events = accounts.status_board().await?.events;
            emit(json, &events, |all| all.iter().map(line).collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(())
}

pub async fn incident(cmd: IncidentCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    match cmd {
        IncidentCommand::Open { message, link } => {
            let event = accounts.open_incident(&message, link.as_deref()).await?;
            emit(json, &event, line);
        }
        IncidentCommand::Resolve => {
            let ended = accounts.resolve_incident().await?;
            emit(json, &serde_json::json!({ "resolved": ended }), |_| {
                if ended { "incident resolved".into() } else { "no incident was open".into() }
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_durations_from_now() {
        assert_eq!(when("2026-12-24T06:00:00Z", "--until", 0).unwrap(), 1_798_092_000);
        assert_eq!(when("90m", "--until", 1000).unwrap(), 1000 + 5400);
        assert_eq!(when("2h", "--until", 0).unwrap(), 7200);
        for bad in ["", "h", "2w", "tomorrow", "99999999999999999999d", "-5m"] {
            assert!(when(bad, "--until", 0).is_err(), "{bad}");
        }
    }
}
