//! Point reads of a SQLite file on the calling thread.
//!
//! Through sqlx every SQLite statement is a hop to the connection's worker thread and back:
//! under load two context switches per statement cost far more than the statement itself (a
//! profile of userinfo: ~45 % of the time switching threads, under 1 % in SQLite). The hot reads
//! — the ephemeral table's lookups by primary key, on every token, userinfo and introspection
//! request and every page with a session — run here instead, on a few read-only connections of
//! our own, and return before the caller's next `.await`.
//!
//! Why this is not blocking work on the async runtime: the database is in WAL mode, where a
//! reader never waits for the writer, and these connections never wait at all — their busy
//! timeout is zero, so the rare moment SQLite would make a reader wait (another process
//! recovering the WAL, say) is an error here, and the caller takes the ordinary path on sqlx's
//! worker thread instead. What is left is a B-tree lookup of a few pages, almost always in
//! SQLite's or the kernel's page cache: microseconds, like the JSON parsing around it. Any other
//! error takes the ordinary path too, so answers and error reports are those of the sqlx path.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, Params, Row};

/// Inline callers never yield while holding a connection, so at most one per runtime thread is
/// in use at once; beyond this many (a runtime of many threads) callers take the ordinary path.
const MAX_CONNECTIONS: usize = 8;

pub(crate) struct SqliteReads {
    path: PathBuf,
    /// Connections not in use, and how many exist in all.
    pool: Mutex<(Vec<Connection>, usize)>,
}

impl std::fmt::Debug for SqliteReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteReads({})", self.path.display())
    }
}

impl SqliteReads {
    pub fn new(path: PathBuf) -> Self {
        SqliteReads { path, pool: Mutex::new((Vec::new(), 0)) }
    }

    /// Every row `map` makes of `sql`, or `None` when the read could not be done here without
    /// waiting (or failed): the caller then asks sqlx.
    pub fn query<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Option<Vec<T>> {
        let conn = self.checkout()?;
        let rows = run(&conn, sql, params, map);
        match rows {
            Ok(rows) => {
                self.checkin(conn);
                Some(rows)
            }
            Err(e) => {
                tracing::debug!(error = %e, "inline SQLite read fell back to the pool");
                // A connection that failed is not reused: the next caller opens a fresh one.
                self.forget();
                None
            }
        }
    }

    fn checkout(&self) -> Option<Connection> {
        {
            let mut pool = self.pool.lock().ok()?;
            if let Some(conn) = pool.0.pop() {
                return Some(conn);
            }
            if pool.1 >= MAX_CONNECTIONS {
                return None;
            }
            pool.1 += 1;
        }
        match open(&self.path) {
            Ok(conn) => Some(conn),
            Err(e) => {
                tracing::debug!(error = %e, "could not open an inline SQLite reader");
                self.forget();
                None
            }
        }
    }

    fn checkin(&self, conn: Connection) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.0.push(conn);
        }
    }

    fn forget(&self) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.1 = pool.1.saturating_sub(1);
        }
    }
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    // Read-only, no mutex of SQLite's own (one thread at a time holds it), never waits.
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::ZERO)?;
    conn.pragma_update(None, "query_only", true)?;
    conn.pragma_update(None, "cache_size", crate::store::READER_CACHE_KIB)?;
    Ok(conn)
}

fn run<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, map)?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_committed_and_falls_back_on_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.db");
        let writer = Connection::open(&path).expect("open");
        writer.pragma_update(None, "journal_mode", "wal").expect("wal");
        writer
            .execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('a', '1');")
            .expect("schema");
        let reads = SqliteReads::new(path);
        let get = |k: &str| reads.query("SELECT v FROM t WHERE k = ?1", [k], |r| r.get::<_, String>(0));
        assert_eq!(get("a"), Some(vec!["1".to_string()]));
        assert_eq!(get("b"), Some(vec![]));
        writer.execute("INSERT INTO t VALUES ('b', '2')", []).expect("insert");
        assert_eq!(get("b"), Some(vec!["2".to_string()]), "a committed write is seen at once");
        // The connections are read-only: a write is refused and reported as "ask sqlx".
        assert_eq!(reads.query("INSERT INTO t VALUES ('c', '3') RETURNING v", [], |r| r.get::<_, String>(0)), None);
        assert_eq!(reads.query("SELECT nope FROM t", [], |r| r.get::<_, String>(0)), None);
        assert_eq!(get("a"), Some(vec!["1".to_string()]), "a failed read leaves the reader usable");
    }

    #[test]
    fn a_locked_database_is_a_fallback_not_a_wait() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.db");
        let writer = Connection::open(&path).expect("open");
        writer
            .execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('a', '1');")
            .expect("schema");
        // Opened before the lock: opening sets the page cache, which reads the schema.
        let reader = open(&path).expect("reader");
        // Rollback journal with an exclusive lock held: any reader would have to wait.
        writer.execute_batch("BEGIN EXCLUSIVE; UPDATE t SET v = '2';").expect("lock");
        let reads = SqliteReads::new(path.clone());
        assert_eq!(reads.query("SELECT v FROM t WHERE k = 'a'", [], |r| r.get::<_, String>(0)), None);
        // Opening one under the lock fails at once (the caller falls back), never waits.
        assert!(open(&path).is_err(), "a reader opened under the lock is refused, not kept waiting");
        let timeout: i64 = reader.pragma_query_value(None, "busy_timeout", |r| r.get(0)).expect("pragma");
        assert_eq!(timeout, 0, "an inline reader never sleeps in the busy handler");
        assert!(reader.query_row("SELECT v FROM t WHERE k = 'a'", [], |r| r.get::<_, String>(0)).is_err());
        writer.execute_batch("COMMIT").expect("commit");
        let cache: i64 = reader.pragma_query_value(None, "cache_size", |r| r.get(0)).expect("pragma");
        assert_eq!(cache, -1024, "a reader's page cache is capped");
        assert_eq!(reads.query("SELECT v FROM t WHERE k = 'a'", [], |r| r.get::<_, String>(0)), Some(vec!["2".into()]));
    }
}
