//! The ephemeral contract on the SQL database: one table, one statement per operation, so
//! every operation is atomic without a transaction (and writes can be committed in groups).

use sea_orm::{ConnectionTrait, Value};

use super::{Follow, Followed};
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

    /// [`super::Ephemeral::get_following`]. On SQLite one statement: SQLite reads the fields out
    /// of the JSON and looks the named keys up in the same read, so a token's record, its grant's
    /// revocation and its user's epoch come from one snapshot, under one lock of the file (three
    /// separate reads took and released SQLite's locks three times: a fifth of userinfo's time)
    /// and with no JSON parsed here. Elsewhere the value first, then the keys it names.
    pub async fn get_following(&self, key: &str, follow: &[Follow<'_>]) -> Result<Option<Followed>, StoreError> {
        if self.is_sqlite() {
            return self.get_following_sqlite(key, follow).await;
        }
        let Some(value) = self.get(key).await? else { return Ok(None) };
        let named = Follow::keys_in(follow, &value);
        let wanted: Vec<String> = named.iter().flatten().cloned().collect();
        let mut found = self.get_many(&wanted).await?.into_iter();
        let values = named.iter().map(|n| n.as_ref().and_then(|_| found.next().flatten())).collect();
        Ok(Some(Followed { value, values }))
    }

    async fn get_following_sqlite(&self, key: &str, follow: &[Follow<'_>]) -> Result<Option<Followed>, StoreError> {
        let sql = following_sql(follow.len());
        let now = self.clock.now();
        let paths: Vec<String> = follow.iter().map(|f| format!("$.{}", f.field)).collect();
        if let Some(reads) = self.store.inline_reads() {
            let mut params: Vec<&dyn rusqlite::ToSql> = vec![&key, &now];
            for (f, path) in follow.iter().zip(&paths) {
                params.push(&f.prefix);
                params.push(path);
            }
            let map = |r: &rusqlite::Row<'_>| {
                let value: String = r.get(0)?;
                let values = (1..=follow.len()).map(|i| r.get::<_, Option<String>>(i)).collect::<Result<_, _>>()?;
                Ok(Followed { value, values })
            };
            if let Some(rows) = reads.query(&sql, params.as_slice(), map) {
                return Ok(rows.into_iter().next());
            }
        }
        let mut values: Vec<Value> = vec![key.into(), now.into()];
        for (f, path) in follow.iter().zip(paths) {
            values.push(f.prefix.into());
            values.push(path.into());
        }
        let Some(row) = self.store.conn().query_one_raw(self.store.statement(&sql, values)).await? else {
            return Ok(None);
        };
        let value = row.try_get::<String>("", "value")?;
        let values =
            (0..follow.len()).map(|i| row.try_get::<Option<String>>("", &format!("f{i}"))).collect::<Result<_, _>>()?;
        Ok(Some(Followed { value, values }))
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

/// The value under ?1 (alive at ?2) and, for each follow `i`, the value under its prefix
/// (?(3+2i)) followed by the field at its JSON path (?(4+2i)), where that field is a string or
/// an integer; anything else (null, an object, no JSON at all) names nothing, as in Rust.
fn following_sql(follows: usize) -> String {
    let mut sql = String::from("SELECT e.value AS value");
    for i in 0..follows {
        let (prefix, path) = (3 + 2 * i, 4 + 2 * i);
        sql.push_str(&format!(
            ", (SELECT f.value FROM ephemeral f WHERE f.expires_at > ?2 AND f.key = ?{prefix} || \
             CASE WHEN json_valid(e.value) THEN \
               CASE WHEN json_type(e.value, ?{path}) IN ('text', 'integer') THEN json_extract(e.value, ?{path}) END \
             END) AS f{i}"
        ));
    }
    sql.push_str(" FROM ephemeral e WHERE e.key = ?1 AND e.expires_at > ?2");
    sql
}
