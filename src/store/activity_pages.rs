//! A page of a provider's activity record read on SQLite without sqlx (issue 31).
//!
//! sqlx hands each SQLite row from its connection's worker thread to the caller one message at
//! a time: an export of 100,000 rows was 21 µs a row, ~47,000 rows a second, almost all of it
//! passing rows between threads. Here the page is read on a blocking thread with one of the
//! inline readers (`sqlite::reads`) and comes back whole: one hand-off per page of up to 1,000
//! rows. A reader that would have to wait, or any error, falls back to the sqlx path.

use rusqlite::types::Value;

use super::Store;
use crate::domain::activity::{ActivityEntry, ActivityQuery};
use crate::domain::tenant::TenantId;

const COLUMNS: &str =
    "id, tenant_id, user_id, login_name, kind, detail, login_type, client_id, ip, user_agent, at, actor";

/// A value bound to a page's statement.
pub(super) enum Param {
    Int(i64),
    Text(String),
}

impl Param {
    pub(super) fn into_value(self) -> sea_orm::Value {
        match self {
            Param::Int(n) => n.into(),
            Param::Text(t) => t.into(),
        }
    }
}

/// The statement (`$n` placeholders) and its values for one page: newest first, each filter one
/// bound value, so an index ending in the id serves every combination the API offers.
pub(super) fn statement(tenant_id: TenantId, q: &ActivityQuery) -> (String, Vec<Param>) {
    let mut sql = format!("SELECT {COLUMNS} FROM activity WHERE tenant_id = $1");
    let mut values = vec![Param::Int(i64::from(tenant_id))];
    let mut and = |column: &str, op: &str, value: Param| {
        values.push(value);
        sql.push_str(&format!(" AND {column} {op} ${}", values.len()));
    };
    if let Some(user_id) = q.user_id {
        and("user_id", "=", Param::Int(i64::from(user_id)));
    }
    if let Some(kind) = &q.kind {
        and("kind", "=", Param::Text(kind.clone()));
    }
    if let Some(client_id) = &q.client_id {
        and("client_id", "=", Param::Text(client_id.clone()));
    }
    if let Some(since) = q.since {
        and("at", ">=", Param::Int(since));
    }
    if let Some(until) = q.until {
        and("at", "<=", Param::Int(until));
    }
    if let Some(before) = q.before {
        and("id", "<", Param::Int(i64::from(before)));
    }
    values.push(Param::Int(i64::try_from(q.limit).unwrap_or(i64::MAX)));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", values.len()));
    (sql, values)
}

/// One row as sqlx gives it, read by position (by name costs a hash lookup per column).
pub(super) fn entry_of(r: &sea_orm::QueryResult) -> Result<ActivityEntry, sea_orm::DbErr> {
    Ok(ActivityEntry {
        id: r.try_get_by_index(0)?,
        tenant_id: r.try_get_by_index(1)?,
        user_id: r.try_get_by_index(2)?,
        login_name: r.try_get_by_index(3)?,
        kind: r.try_get_by_index(4)?,
        detail: r.try_get_by_index(5)?,
        login_type: r.try_get_by_index(6)?,
        client_id: r.try_get_by_index(7)?,
        ip: r.try_get_by_index(8)?,
        user_agent: r.try_get_by_index(9)?,
        at: r.try_get_by_index(10)?,
        actor: r.try_get_by_index::<Option<String>>(11)?.unwrap_or_default(),
    })
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivityEntry> {
    Ok(ActivityEntry {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        user_id: r.get(2)?,
        login_name: r.get(3)?,
        kind: r.get(4)?,
        detail: r.get(5)?,
        login_type: r.get(6)?,
        client_id: r.get(7)?,
        ip: r.get(8)?,
        user_agent: r.get(9)?,
        at: r.get(10)?,
        actor: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
    })
}

impl Store {
    /// The page from an inline reader on a blocking thread; `None` when that cannot be done (not
    /// SQLite, a reader would wait, an error): the caller reads it through sqlx.
    pub(super) async fn activity_page_inline(
        &self,
        tenant_id: TenantId,
        q: &ActivityQuery,
    ) -> Option<Vec<ActivityEntry>> {
        self.inline_reads()?;
        let (sql, values) = statement(tenant_id, q);
        // SQLite reads `$n` as a named parameter; `?n` says "the n-th" plainly.
        let sql = sql.replace('$', "?");
        let values = values.into_iter().map(|v| match v {
            Param::Int(n) => Value::Integer(n),
            Param::Text(t) => Value::Text(t),
        });
        let store = self.clone();
        let read = move || {
            let reads = store.inline_reads()?;
            reads.query(&sql, rusqlite::params_from_iter(values), entry)
        };
        tokio::task::spawn_blocking(read).await.ok().flatten()
    }
}
