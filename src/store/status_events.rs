//! M1–M3's maintenance windows and incidents (`domain::service_status`).

use sea_orm::ConnectionTrait;

use super::{Store, StoreError};
use crate::domain::service_status::{StatusEvent, StatusKind};

const COLUMNS: &str = "id, kind, message, link, starts_at, until, ended_at, created_at";

fn to_domain(row: &sea_orm::QueryResult) -> Result<StatusEvent, StoreError> {
    let kind: String = row.try_get("", "kind")?;
    Ok(StatusEvent {
        id: row.try_get("", "id")?,
        kind: StatusKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("status event kind {kind}")))?,
        message: row.try_get("", "message")?,
        link: row.try_get("", "link")?,
        starts_at: row.try_get("", "starts_at")?,
        until: row.try_get("", "until")?,
        ended_at: row.try_get("", "ended_at")?,
        created_at: row.try_get("", "created_at")?,
    })
}

/// What a new window or incident says.
pub struct NewStatusEvent<'a> {
    pub kind: StatusKind,
    pub message: &'a str,
    pub link: Option<&'a str>,
    pub starts_at: i64,
    pub until: Option<i64>,
    pub created_by: &'a str,
}

impl Store {
    /// Ends whatever of `kind` is open and opens `new`, in one transaction. Two operators at once:
    /// the unique index on open events refuses the second insert, which then tries again and
    /// replaces the first's (the last one wins, and only one is ever open).
    pub async fn replace_status_event(&self, new: &NewStatusEvent<'_>, now: i64) -> Result<StatusEvent, StoreError> {
        let mut tries = 0;
        loop {
            match self.replace_status_event_once(new, now).await {
                Err(StoreError::Conflict(_)) if tries < 5 => tries += 1,
                other => return other,
            }
        }
    }

    async fn replace_status_event_once(&self, new: &NewStatusEvent<'_>, now: i64) -> Result<StatusEvent, StoreError> {
        use sea_orm::TransactionTrait;
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        txn.execute_raw(self.end_open(new.kind, now)).await?;
        let row = txn
            .query_one_raw(self.statement(
                &format!(
                    "INSERT INTO status_events (kind, message, link, starts_at, until, ended_at, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, NULL, $6, $7) RETURNING {COLUMNS}"
                ),
                vec![
                    new.kind.as_str().into(),
                    new.message.into(),
                    new.link.map(str::to_string).into(),
                    new.starts_at.into(),
                    new.until.into(),
                    now.into(),
                    new.created_by.into(),
                ],
            ))
            .await
            .map_err(|e| StoreError::from_insert(e, "an open status event"))?
            .ok_or_else(|| StoreError::Corrupt("status event insert returned nothing".into()))?;
        let event = to_domain(&row)?;
        txn.commit().await?;
        Ok(event)
    }

    /// Ends the open events of `kind`; how many there were.
    pub async fn end_status_events(&self, kind: StatusKind, now: i64) -> Result<u64, StoreError> {
        self.write(self.end_open(kind, now)).await
    }

    fn end_open(&self, kind: StatusKind, now: i64) -> sea_orm::Statement {
        self.statement(
            "UPDATE status_events SET ended_at = $1 WHERE kind = $2 AND ended_at IS NULL",
            vec![now.into(), kind.as_str().into()],
        )
    }

    /// The open events, and the `limit` most recent ones of any state, newest first.
    pub async fn status_events(&self, limit: u64) -> Result<Vec<StatusEvent>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .conn()
            .query_all_raw(self.statement(
                &format!(
                    "SELECT {COLUMNS} FROM status_events \
                     WHERE ended_at IS NULL OR id IN (SELECT id FROM status_events ORDER BY id DESC LIMIT $1) \
                     ORDER BY id DESC"
                ),
                vec![limit.into()],
            ))
            .await?;
        rows.iter().map(to_domain).collect()
    }

    /// The open events only: what every request during maintenance asks (through a cache).
    pub async fn open_status_events(&self) -> Result<Vec<StatusEvent>, StoreError> {
        let rows = self
            .conn()
            .query_all_raw(self.statement(
                &format!("SELECT {COLUMNS} FROM status_events WHERE ended_at IS NULL ORDER BY id DESC"),
                vec![],
            ))
            .await?;
        rows.iter().map(to_domain).collect()
    }
}
