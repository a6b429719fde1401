//! SQLite's write-ahead log grows with every commit until a checkpoint copies it back into the
//! database file. By default the connection that commits does that, every 1,000 pages: under a
//! token load that was the writer thread, dozens of times a second, each time copying the same
//! hot pages again and syncing twice while every queued write waited (a sixth of the writer's
//! time). Here the writer never checkpoints; this thread does, with a connection of its own:
//!
//! - once the writer has committed something, at most once a `period`, a passive checkpoint:
//!   it copies what it can without waiting for anyone and takes no lock the writer needs, so the
//!   writer goes on committing meanwhile;
//! - a passive checkpoint never quite catches up with a writer that keeps appending, and SQLite
//!   starts the log over only once all of it has been copied. When the log has passed
//!   `restart_at` frames the thread takes the process's write turn for one more passive
//!   checkpoint — only what was appended during the first — so the writer's next commit starts
//!   the log from its beginning (and SQLite cuts the file back to `journal_size_limit`).
//!
//! The sea-orm connections keep an automatic checkpoint of their own, far above `restart_at`,
//! as a backstop for a process with no writer thread running for long (the CLI's bulk work).

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::Mutex;

/// How often, and from what size, the log is copied back and started over.
#[derive(Clone, Copy, Debug)]
pub struct Checkpoints {
    pub period: Duration,
    /// Frames (pages) in the log beyond which it is started over.
    pub restart_at: i64,
}

impl Default for Checkpoints {
    fn default() -> Self {
        // At ten checkpoints a second a page written a hundred times in that time is copied once;
        // 8,192 frames of 4 KiB keep the log near 32 MiB, where a reader's lookup of a page in
        // the log's index is still a handful of probes.
        Checkpoints { period: Duration::from_millis(100), restart_at: 8192 }
    }
}

/// The sea-orm connections' own automatic checkpoint, in frames: far above `restart_at`.
pub const BACKSTOP_FRAMES: &str = "32768";

/// The size the log file is cut back to when it starts over, in bytes.
pub const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// The writer's side: a nudge as each batch is written, dropped when the writer ends (and with it the
/// checkpointer).
pub struct Nudge(SyncSender<()>);

impl Nudge {
    /// Never waits: one nudge pending is as good as many. The checkpointer looks a period later,
    /// so nudging as a batch begins is as good as after its commit.
    pub fn writing(&self) {
        let _ = self.0.try_send(());
    }
}

/// Starts the thread for the database at `path`; it ends when the returned `Nudge` is dropped.
pub fn start(path: &Path, turn: Arc<Mutex<()>>, every: Checkpoints) -> Result<Nudge, String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| format!("cannot open the checkpointer: {e}"))?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    let (nudge, nudged) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("lanyard-sqlite-checkpoint".into())
        .spawn(move || run(&conn, &turn, &nudged, every))
        .map_err(|e| format!("cannot start the SQLite checkpointer: {e}"))?;
    Ok(Nudge(nudge))
}

fn run(conn: &Connection, turn: &Mutex<()>, nudged: &Receiver<()>, every: Checkpoints) {
    while let Ok(()) = nudged.recv() {
        // Let a period's commits gather: a page written many times in it is copied once.
        let until = crate::clock::monotonic_now() + every.period;
        let ended = loop {
            match nudged.recv_timeout(until.saturating_duration_since(crate::clock::monotonic_now())) {
                Ok(()) => {}
                Err(RecvTimeoutError::Timeout) => break false,
                Err(RecvTimeoutError::Disconnected) => break true,
            }
        };
        match passive(conn) {
            Ok(log) if log >= every.restart_at => {
                let _turn = turn.blocking_lock();
                if let Err(e) = passive(conn) {
                    tracing::warn!(error = %e, "checkpointing the SQLite log failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "checkpointing the SQLite log failed"),
        }
        if ended {
            return;
        }
    }
}

/// One passive checkpoint; the log's size in frames, as it was.
fn passive(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get::<_, i64>(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::write_queue::WriteQueue;
    use rusqlite::types::Value;

    const PAGE: u64 = 4096;

    /// A queue over a fresh table `t` whose log is copied back as `every` says.
    fn queue(every: Checkpoints) -> (tempfile::TempDir, WriteQueue, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let setup = Connection::open(&path).unwrap();
        setup.pragma_update(None, "journal_mode", "wal").unwrap();
        setup.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").unwrap();
        let queue = WriteQueue::start_with(&path, Arc::default(), every).unwrap();
        // The first connection stays open, as the server's pool does: closing the last one would
        // checkpoint the log itself.
        (dir, queue, path, setup)
    }

    /// Rows in the database file alone, as a reader without the log would see it (none while a
    /// checkpoint is half-way through copying into the file: the copy is torn then).
    fn rows_in_file(path: &Path) -> Option<i64> {
        let copy = path.with_extension("copy");
        std::fs::copy(path, &copy).unwrap();
        let n = Connection::open(&copy).unwrap().query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).ok();
        let _ = std::fs::remove_file(&copy);
        n
    }

    /// Sixteen writers at once, each row about a page: far more than `restart_at` frames are
    /// written while no writer pauses, and the log is still started over, so its file stays
    /// smaller than the rows written. Once the writes stop, everything reaches the database file
    /// without any other connection checkpointing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_is_copied_back_and_started_over_while_writes_go_on() {
        let every = Checkpoints { period: Duration::from_millis(2), restart_at: 32 };
        let (_dir, queue, path, _pool) = queue(every);
        let (writers, each) = (16, 250);
        let writes = (0..writers).map(|w| {
            let queue = queue.clone();
            tokio::spawn(async move {
                for i in 0..each {
                    let row = vec![Value::Integer(w * each + i), Value::Text("x".repeat(3000))];
                    queue.execute("INSERT INTO t (k, v) VALUES (?1, ?2)".into(), row).await.unwrap();
                }
            })
        });
        for w in futures_util::future::join_all(writes).await {
            w.unwrap();
        }
        let written = (writers * each) as u64 * PAGE;
        let log = std::fs::metadata(path.with_extension("db-wal")).unwrap().len();
        // Never started over, it holds every frame: several times the rows' size, with the indexes.
        assert!(log < written, "the log grew to {log} bytes for {written} of rows: never started over");
        let mut copied = None;
        for _ in 0..300 {
            copied = rows_in_file(&path);
            if copied == Some(writers * each) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(copied, Some(writers * each), "the last writes never reached the database file");
    }
}
