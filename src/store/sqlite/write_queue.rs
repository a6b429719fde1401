//! SQLite takes one writer at a time. When every pooled connection may write, the losers of the
//! write lock sleep in SQLite's busy handler (1, 2, 5, 10 … ms), and that sleep is the token
//! endpoint's tail under load. Instead one thread owns the writing connection: single-statement
//! writes are queued in the process and whatever is queued when the thread comes round is
//! committed in one transaction (group commit), so a burst of token, session and counter writes
//! costs one commit and nobody waits on a lock.
//!
//! The thread is our own, with a connection of our own (not sqlx's, whose every statement is a
//! hop to its worker thread and back: a batch of thirty writes was thirty-two round trips between
//! threads; now it is one wake-up of this thread and one answer per caller). Its waits — for the
//! next job, for the process's write turn, for another process holding the database — are this
//! thread's, never the async runtime's.
//!
//! Each queued statement is atomic on its own (the ephemeral contract's one-statement operations,
//! the sign-in counters), so committing several together changes no outcome; a caller is answered
//! only after the commit. If any statement of a batch fails, the batch is rolled back and every
//! statement is run again on its own, so one caller's error is never another caller's.
//!
//! The other writes of the process (sea-orm's inserts and transactions through `Store::writer`)
//! and this thread take turns through one lock, so the two never meet on SQLite's lock.

use std::path::Path;
use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::checkpointer::{self, Checkpoints, Nudge};
use crate::store::StoreError;

/// Beyond this, a batch's transaction holds the write lock long enough to delay the CLI or the
/// migrations of another process; what is left waits for the next round.
const MAX_BATCH: usize = 128;
/// Callers wait (in the process, without spinning) once this many writes are queued.
const QUEUE_DEPTH: usize = 4096;
/// Another process (the CLI, a migration) may hold the database for a while.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A row a `RETURNING` clause gave back: column names and values.
pub type Row = Vec<(String, Value)>;

pub enum Outcome {
    Executed(u64),
    Rows(Vec<Row>),
}

struct Job {
    sql: String,
    params: Vec<Value>,
    returns_rows: bool,
    reply: oneshot::Sender<Result<Outcome, StoreError>>,
}

#[derive(Clone, Debug)]
pub struct WriteQueue {
    jobs: mpsc::Sender<Job>,
}

impl WriteQueue {
    /// Opens the writing connection to the database file at `path` and starts its thread, which
    /// ends when every handle is dropped. `turn` is the process's write lock.
    pub fn start(path: &Path, turn: Arc<Mutex<()>>) -> Result<Self, StoreError> {
        Self::start_with(path, turn, Checkpoints::default())
    }

    /// As `start`, with the log copied back and started over as `every` says.
    pub fn start_with(path: &Path, turn: Arc<Mutex<()>>, every: Checkpoints) -> Result<Self, StoreError> {
        let conn = open(path).map_err(StoreError::Sqlite)?;
        let nudge = checkpointer::start(path, turn.clone(), every).map_err(StoreError::Unavailable)?;
        let (jobs, queued) = mpsc::channel(QUEUE_DEPTH);
        std::thread::Builder::new()
            .name("lanyard-sqlite-writer".into())
            .spawn(move || write_loop(&conn, &turn, queued, &nudge))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the SQLite writer: {e}")))?;
        Ok(WriteQueue { jobs })
    }

    pub async fn execute(&self, sql: String, params: Vec<Value>) -> Result<u64, StoreError> {
        match self.submit(sql, params, false).await? {
            Outcome::Executed(n) => Ok(n),
            Outcome::Rows(rows) => Ok(rows.len() as u64),
        }
    }

    pub async fn query(&self, sql: String, params: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        match self.submit(sql, params, true).await? {
            Outcome::Rows(rows) => Ok(rows),
            Outcome::Executed(_) => Ok(Vec::new()),
        }
    }

    async fn submit(&self, sql: String, params: Vec<Value>, returns_rows: bool) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Unavailable("the SQLite writer has stopped".into());
        self.jobs.send(Job { sql, params, returns_rows, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // As the sqlx connections are set up (store::options), commits durable at checkpoints. The
    // journal mode (WAL) is the database file's, set by the pool's first connection: switching
    // it here too would take the file's exclusive lock while other connections open.
    conn.pragma_update(None, "synchronous", "normal")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // The checkpointer copies the log back; the writer only appends to it.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(None, "journal_size_limit", checkpointer::JOURNAL_SIZE_LIMIT)?;
    Ok(conn)
}

fn write_loop(conn: &Connection, turn: &Mutex<()>, mut queued: mpsc::Receiver<Job>, nudge: &Nudge) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = queued.blocking_recv() {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match queued.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let _turn = turn.blocking_lock();
        nudge.writing();
        // A transaction a failed ROLLBACK left open would swallow every later write unseen (and
        // hold the database's lock): end it, or refuse this round rather than pretend.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            for job in batch.drain(..) {
                let _ =
                    job.reply.send(Err(StoreError::Unavailable("the SQLite writer is stuck in a transaction".into())));
            }
            continue;
        }
        if batch.len() > 1
            && let Ok(outcomes) = together(conn, &batch)
        {
            for (job, outcome) in batch.drain(..).zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
            continue;
        }
        for job in batch.drain(..) {
            let began = crate::clock::monotonic_now();
            let outcome = run(conn, &job).map_err(StoreError::Sqlite);
            crate::telemetry::metrics::store_commit(1, began.elapsed());
            let _ = job.reply.send(outcome);
        }
    }
}

/// The whole batch in one transaction, or nothing (a failed batch is rolled back).
fn together(conn: &Connection, batch: &[Job]) -> rusqlite::Result<Vec<Outcome>> {
    let began = crate::clock::monotonic_now();
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let outcomes: rusqlite::Result<Vec<Outcome>> = batch.iter().map(|job| run(conn, job)).collect();
    let committed = outcomes.and_then(|outcomes| conn.execute_batch("COMMIT").map(|()| outcomes));
    if committed.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    crate::telemetry::metrics::store_commit(batch.len(), began.elapsed());
    committed
}

fn run(conn: &Connection, job: &Job) -> rusqlite::Result<Outcome> {
    let mut stmt = conn.prepare_cached(&job.sql)?;
    let params = rusqlite::params_from_iter(job.params.iter());
    if !job.returns_rows {
        return Ok(Outcome::Executed(stmt.execute(params)? as u64));
    }
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            values.push((name.clone(), row.get::<_, Value>(i)?));
        }
        out.push(values);
    }
    Ok(Outcome::Rows(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queue over a fresh table `t`, taking turns through `turn`.
    fn queue_with(turn: Arc<Mutex<()>>) -> (tempfile::TempDir, WriteQueue, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
            .unwrap();
        let queue = WriteQueue::start(&path, turn).unwrap();
        (dir, queue, path)
    }

    async fn queue() -> (tempfile::TempDir, WriteQueue, std::path::PathBuf) {
        queue_with(Arc::default())
    }

    fn rows(path: &std::path::Path) -> i64 {
        Connection::open(path).unwrap().query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap()
    }

    /// Many writers at once, every tenth of them breaking a constraint: each caller gets its own
    /// outcome, the failures leave nothing behind and take nobody else's write with them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_statement_fails_alone_in_its_batch() {
        let (_dir, queue, path) = queue().await;
        let writes = (0..400).map(|i| {
            let queue = queue.clone();
            // Every tenth insert reuses key 0: only the first of those may succeed.
            let key = if i % 10 == 0 { "k0".to_string() } else { format!("k{i}") };
            tokio::spawn(async move {
                queue.execute("INSERT INTO t (k, n) VALUES (?1, ?2)".into(), vec![key.into(), Value::Integer(i)]).await
            })
        });
        let outcomes: Vec<_> = futures_util::future::join_all(writes).await.into_iter().map(Result::unwrap).collect();
        let failed = outcomes.iter().filter(|o| o.is_err()).count();
        assert_eq!(failed, 39, "the duplicates of k0 fail, nothing else does");
        assert!(outcomes.iter().filter_map(|o| o.as_ref().ok()).all(|&n| n == 1));
        assert_eq!(rows(&path), 361);
    }

    /// A counter raised from many tasks through the queue counts every raise exactly once, and
    /// `RETURNING` hands each caller its own value.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_increments_return_distinct_counts() {
        let (_dir, queue, _path) = queue().await;
        queue.execute("INSERT INTO t (k, n) VALUES ('c', 0)".into(), vec![]).await.unwrap();
        let raises = (0..300).map(|_| {
            let queue = queue.clone();
            tokio::spawn(async move {
                let rows =
                    queue.query("UPDATE t SET n = n + 1 WHERE k = 'c' RETURNING n".into(), vec![]).await.unwrap();
                let row = rows.first().unwrap();
                assert_eq!(row.first().unwrap().0, "n");
                match row.first().unwrap().1 {
                    Value::Integer(n) => n,
                    ref other => panic!("{other:?}"),
                }
            })
        });
        let mut seen: Vec<i64> = futures_util::future::join_all(raises).await.into_iter().map(Result::unwrap).collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=300).collect::<Vec<_>>());
    }

    /// While another holder of the process's write turn (a sea-orm transaction) keeps it, queued
    /// writes wait in the queue, and go through as soon as it is released.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_writes_wait_for_the_write_turn() {
        let turn = Arc::new(Mutex::new(()));
        let (_dir, queue, path) = queue_with(turn.clone());
        let held = turn.lock().await;
        let write = tokio::spawn({
            let queue = queue.clone();
            async move { queue.execute("INSERT INTO t (k, n) VALUES ('a', 1)".into(), vec![]).await }
        });
        tokio::task::yield_now().await;
        assert_eq!(rows(&path), 0, "nothing is written while the turn is held");
        assert!(!write.is_finished());
        drop(held);
        assert_eq!(write.await.unwrap().unwrap(), 1);
        assert_eq!(rows(&path), 1);
    }
}
