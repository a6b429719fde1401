//! SQLite takes one writer at a time. When every pooled connection may write, the losers of the
//! write lock sleep in SQLite's busy handler (1, 2, 5, 10 … ms), and that sleep is the token
//! endpoint's tail under load. Instead one task owns the writing connection: single-statement
//! writes are queued in the process and whatever is queued when the task comes round is committed
//! in one transaction (group commit), so a burst of token, session and counter writes costs one
//! commit and nobody waits on a lock.
//!
//! Each queued statement is atomic on its own (the ephemeral contract's one-statement operations,
//! the sign-in counters), so committing several together changes no outcome; a caller is answered
//! only after the commit. If any statement of a batch fails, the batch is rolled back and every
//! statement is run again on its own, so one caller's error is never another caller's.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

/// Beyond this, a batch's transaction holds the write lock long enough to delay the CLI or the
/// migrations of another process; what is left waits for the next round.
const MAX_BATCH: usize = 128;
/// Callers wait (in the process, without spinning) once this many writes are queued.
const QUEUE_DEPTH: usize = 4096;

pub enum Outcome {
    Executed(u64),
    Rows(Vec<QueryResult>),
}

struct Job {
    stmt: Statement,
    returns_rows: bool,
    reply: oneshot::Sender<Result<Outcome, DbErr>>,
}

#[derive(Clone, Debug)]
pub struct WriteQueue {
    jobs: mpsc::Sender<Job>,
}

impl WriteQueue {
    /// Starts the writing task on the current runtime; it ends when every handle is dropped.
    pub fn start(writer: DatabaseConnection) -> Self {
        let (jobs, queued) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(write_loop(writer, queued));
        WriteQueue { jobs }
    }

    pub async fn execute(&self, stmt: Statement) -> Result<u64, DbErr> {
        match self.submit(stmt, false).await? {
            Outcome::Executed(n) => Ok(n),
            Outcome::Rows(rows) => Ok(rows.len() as u64),
        }
    }

    pub async fn query(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self.submit(stmt, true).await? {
            Outcome::Rows(rows) => Ok(rows),
            Outcome::Executed(_) => Ok(Vec::new()),
        }
    }

    async fn submit(&self, stmt: Statement, returns_rows: bool) -> Result<Outcome, DbErr> {
        let (reply, answer) = oneshot::channel();
        let stopped = || DbErr::Custom("the write queue has stopped".into());
        self.jobs.send(Job { stmt, returns_rows, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_loop(writer: DatabaseConnection, mut queued: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queued.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if batch.len() > 1
            && let Ok(outcomes) = together(&writer, &batch).await
        {
            for (job, outcome) in batch.drain(..).zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
            continue;
        }
        for job in batch.drain(..) {
            let began = crate::clock::monotonic_now();
            let outcome = run(&writer, &job.stmt, job.returns_rows).await;
            crate::telemetry::metrics::store_commit(1, began.elapsed());
            let _ = job.reply.send(outcome);
        }
    }
}

/// The whole batch in one transaction, or nothing (dropping the transaction rolls it back).
async fn together(writer: &DatabaseConnection, batch: &[Job]) -> Result<Vec<Outcome>, DbErr> {
    let began = crate::clock::monotonic_now();
    let txn = writer.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        outcomes.push(run(&txn, &job.stmt, job.returns_rows).await?);
    }
    txn.commit().await?;
    crate::telemetry::metrics::store_commit(batch.len(), began.elapsed());
    Ok(outcomes)
}

async fn run(conn: &impl ConnectionTrait, stmt: &Statement, returns_rows: bool) -> Result<Outcome, DbErr> {
    if returns_rows {
        Ok(Outcome::Rows(conn.query_all_raw(stmt.clone()).await?))
    } else {
        Ok(Outcome::Executed(conn.execute_raw(stmt.clone()).await?.rows_affected()))
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{Database, DbBackend};

    use super::*;

    fn stmt(sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
    }

    async fn queue() -> (tempfile::TempDir, WriteQueue, DatabaseConnection) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
        let db = Database::connect(url).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)").await.unwrap();
        (dir, WriteQueue::start(db.clone()), db)
    }

    /// Many writers at once, every tenth of them breaking a constraint: each caller gets its own
    /// outcome, the failures leave nothing behind and take nobody else's write with them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_statement_fails_alone_in_its_batch() {
        let (_dir, queue, db) = queue().await;
        let writes = (0..400).map(|i| {
            let queue = queue.clone();
            // Every tenth insert reuses key 0: only the first of those may succeed.
            let key = if i % 10 == 0 { "k0".to_string() } else { format!("k{i}") };
            tokio::spawn(async move {
                queue.execute(stmt("INSERT INTO t (k, n) VALUES ($1, $2)", vec![key.into(), i.into()])).await
            })
        });
        let outcomes: Vec<_> = futures_util::future::join_all(writes).await.into_iter().map(Result::unwrap).collect();
        let failed = outcomes.iter().filter(|o| o.is_err()).count();
        assert_eq!(failed, 39, "the duplicates of k0 fail, nothing else does");
        assert!(outcomes.iter().filter_map(|o| o.as_ref().ok()).all(|&n| n == 1));
        let rows = db.query_one_raw(stmt("SELECT COUNT(*) AS c FROM t", vec![])).await.unwrap().unwrap();
        assert_eq!(rows.try_get::<i64>("", "c").unwrap(), 361);
    }

    /// A counter raised from many tasks through the queue counts every raise exactly once, and
    /// `RETURNING` hands each caller its own value.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_increments_return_distinct_counts() {
        let (_dir, queue, _db) = queue().await;
        queue.execute(stmt("INSERT INTO t (k, n) VALUES ('c', 0)", vec![])).await.unwrap();
        let raises = (0..300).map(|_| {
            let queue = queue.clone();
            tokio::spawn(async move {
                let rows = queue.query(stmt("UPDATE t SET n = n + 1 WHERE k = 'c' RETURNING n", vec![])).await.unwrap();
                rows.first().unwrap().try_get::<i64>("", "n").unwrap()
            })
        });
        let mut seen: Vec<i64> = futures_util::future::join_all(raises).await.into_iter().map(Result::unwrap).collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=300).collect::<Vec<_>>());
    }
}
