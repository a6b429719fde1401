//! The ephemeral contract on the SQL database: one table, one statement per operation, so
//! every operation is atomic without a transaction (and writes can be committed in groups).

use sea_orm::{ConnectionTrait, Value};

use crate::clock::Clock;
use crate::store::{Store, StoreError};

#[derive(Clone)]
pub struct SqlEphemeral {
    store: Store,
    clock: Clock,
}

impl SqlEphemeral {
    pub fn new(store: Store, clock: Clock) -> Self {
        SqlEphemeral { store, clock }
    }

    pub fn writes_in_order(&self) -> bool {
        self.store.writes_in_order()
    }

    pub fn is_sqlite(&self) -> bool {
        self.store.backend_name() == "sqlite"
    }

    pub async fn put(&self, key: &str, value: &str, ttl: i64) -> Result<(), StoreError> {
        let expires_at = self.clock.now().saturating_add(ttl);
        let stmt = self.store.statement(
            "INSERT INTO ephemeral (key, value, count, expires_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, count = 0, expires_at = excluded.expires_at",
            vec![key.into(), value.into(), expires_at.into()],
        );
        self.store.write(stmt).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(reads) = self.store.inline_reads() {
            let sql = "SELECT value FROM ephemeral WHERE key = ?1 AND expires_at > ?2";
            if let Some(rows) = reads.query(sql, rusqlite::params![key, self.clock.now()], |r| r.get(0)) {
                return Ok(rows.into_iter().next());
            }
        }
        let stmt = self.store.statement(
            "SELECT value FROM ephemeral WHERE key = $1 AND expires_at > $2",
            vec![key.into(), self.clock.now().into()],
        );
        let row = self.store.conn().query_one_raw(stmt).await?;
        Ok(row.map(|r| r.try_get::<String>("", "value")).transpose()?)
    }

    pub async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(found) = self.get_many_inline(keys) {
            return Ok(found);
        }
        let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT key, value FROM ephemeral WHERE key IN ({}) AND expires_at > ${}",
            marks.join(", "),
            keys.len() + 1
        );
        let mut values: Vec<Value> = keys.iter().map(|k| Value::from(k.as_str())).collect();
        values.push(self.clock.now().into());
        let rows = self.store.conn().query_all_raw(self.store.statement(&sql, values)).await?;
        let mut found = std::collections::HashMap::new();
        for row in rows {
            found.insert(row.try_get::<String>("", "key")?, row.try_get::<String>("", "value")?);
        }
        Ok(keys.iter().map(|k| found.remove(k)).collect())
    }

    /// One lookup per key on the inline reader (each by the primary key; a few at most).
    fn get_many_inline(&self, keys: &[String]) -> Option<Vec<Option<String>>> {
        let reads = self.store.inline_reads()?;
        let now = self.clock.now();
        let sql = "SELECT value FROM ephemeral WHERE key = ?1 AND expires_at > ?2";
        keys.iter()
            .map(|key| reads.query(sql, rusqlite::params![key, now], |r| r.get(0)).map(|rows| rows.into_iter().next()))
            .collect()
    }

    /// A conditional DELETE … RETURNING: only the caller whose statement deleted the row sees it.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StoreError> {
        let stmt = self.store.statement(
            "DELETE FROM ephemeral WHERE key = $1 AND expires_at > $2 RETURNING value",
            vec![key.into(), self.clock.now().into()],
        );
        let row = self.store.write_returning(stmt).await?;
        row.map(|r| r.get::<String>("value")).transpose()
    }

    pub async fn take_if(&self, key: &str, expected: &str) -> Result<bool, StoreError> {
        let stmt = self.store.statement(
            "DELETE FROM ephemeral WHERE key = $1 AND value = $2 AND expires_at > $3",
            vec![key.into(), expected.into(), self.clock.now().into()],
        );
        Ok(self.store.write(stmt).await? == 1)
    }

    pub async fn incr(&self, key: &str, ttl: i64) -> Result<i64, StoreError> {
        let now = self.clock.now();
        let stmt = self.store.statement(
            "INSERT INTO ephemeral (key, value, count, expires_at) VALUES ($1, '', 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               count = CASE WHEN ephemeral.expires_at <= $3 THEN 1 ELSE ephemeral.count + 1 END, \
               expires_at = CASE WHEN ephemeral.expires_at <= $3 THEN excluded.expires_at ELSE ephemeral.expires_at END \
             RETURNING count",
            vec![key.into(), now.saturating_add(ttl).into(), now.into()],
        );
        let row = self.store.write_returning(stmt).await?;
        let row = row.ok_or_else(|| StoreError::Corrupt(format!("incr of {key} returned nothing")))?;
        row.get::<i64>("count")
    }

    pub async fn count(&self, key: &str) -> Result<i64, StoreError> {
        if let Some(reads) = self.store.inline_reads() {
            let sql = "SELECT count FROM ephemeral WHERE key = ?1 AND expires_at > ?2";
            if let Some(rows) = reads.query(sql, rusqlite::params![key, self.clock.now()], |r| r.get(0)) {
                return Ok(rows.into_iter().next().unwrap_or(0));
            }
        }
        let stmt = self.store.statement(
            "SELECT count FROM ephemeral WHERE key = $1 AND expires_at > $2",
            vec![key.into(), self.clock.now().into()],
        );
        let row = self.store.conn().query_one_raw(stmt).await?;
        Ok(row.map(|r| r.try_get::<i64>("", "count")).transpose()?.unwrap_or(0))
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let stmt = self.store.statement("DELETE FROM ephemeral WHERE key = $1", vec![Value::from(key)]);
        self.store.write(stmt).await?;
        Ok(())
    }

    /// In chunks: one DELETE of a million expired tokens would hold SQLite's only writer, and
    /// every token and session write queued behind it, for the whole delete.
    pub async fn sweep(&self) -> Result<u64, StoreError> {
        const CHUNK: u64 = 1000;
        let now = self.clock.now();
        let mut swept = 0;
        loop {
            let stmt = self.store.statement(
                "DELETE FROM ephemeral WHERE key IN \
                   (SELECT key FROM ephemeral WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)",
                vec![now.into(), (CHUNK as i64).into()],
            );
            let deleted = self.store.write(stmt).await?;
            swept += deleted;
            if deleted < CHUNK {
                return Ok(swept);
            }
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }
}
