//! The only module that imports sea_orm or redis (Architecture Invariant).
//!
//! [`Store`] holds durable data (tenants, users, clients, activity, keys) in SQLite or
//! PostgreSQL; [`Ephemeral`] holds short-lived state in the same database or in Redis.

mod activity;
mod activity_export;
mod activity_pages;
mod app_access;
mod cache;
mod client_list;
mod clients;
pub mod entities;
mod ephemeral;
mod invitations;
mod key_models;
mod like;
mod passkeys;
mod recovery;
mod second_factors;
mod signing_keys;
mod sqlite;
mod status_events;
mod tenant_list;
mod tenants;
mod user_language;
mod user_list;
mod users;
mod users_inline;

use std::time::Duration;

use migrations::MigratorTrait;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

pub use ephemeral::{Ephemeral, Follow, Followed};
pub use invitations::NewInvitation;
pub use key_models::Put;
pub use passkeys::{Added, NewKey, StoredPasskey};
pub use second_factors::StoredApp;
pub use signing_keys::StoredKey;
pub use status_events::NewStatusEvent;
pub use users::{NewUser, OnRight, UserUpdate};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("redis error: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// PostgreSQL's own word that the connection is gone: connection exceptions (SQLSTATE class
/// 08) and a server shutting down or starting (57P01–57P03), as in a restart.
fn connection_lost(e: &sea_orm::sqlx::Error) -> bool {
    let Some(code) = e.as_database_error().and_then(|d| d.code()) else { return false };
    code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
}

impl StoreError {
    /// The database or Redis could not be reached (down, restarting, a timeout): the request may
    /// succeed later, so it is answered 503 with Retry-After, not 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) | StoreError::Database(DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) => true,
            StoreError::Database(DbErr::Exec(e) | DbErr::Query(e)) => match e {
                // The connection itself failed (reset, closed mid-query, refused): not the
                // statement. sqlx says so by the error's kind.
                sea_orm::RuntimeErr::SqlxError(e) => {
                    matches!(
                        e.as_ref(),
                        sea_orm::sqlx::Error::Io(_)
                            | sea_orm::sqlx::Error::PoolTimedOut
                            | sea_orm::sqlx::Error::PoolClosed
                            | sea_orm::sqlx::Error::WorkerCrashed
                            | sea_orm::sqlx::Error::Tls(_)
                    ) || connection_lost(e)
                }
                other => {
                    let text = other.to_string().to_ascii_lowercase();
                    ["connection", "timed out", "broken pipe", "closed"].iter().any(|w| text.contains(w))
                }
            },
            // The database file could not be had (another process held it past the busy timeout,
            // the disk failed or is full): not the statement.
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DiskFull
            ),
            StoreError::Redis(e) => {
                e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_io_error()
            }
            _ => false,
        }
    }

    fn from_insert(e: DbErr, what: impl Into<String>) -> Self {
        match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(what.into()),
            _ => StoreError::Database(e),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    /// Reads. On SQLite a pool of readers (WAL: they never wait for the writer).
    db: DatabaseConnection,
    /// Writes. On SQLite one connection, so writers queue in the process instead of spinning on
    /// the database's lock; on PostgreSQL the same pool as `db`.
    writer: DatabaseConnection,
    /// SQLite: single-statement writes committed in groups (see `sqlite::write_queue`).
    queue: Option<sqlite::write_queue::WriteQueue>,
    /// SQLite: the process's write turn, taken by the queue's thread and by every other write, so
    /// the two never meet on the database's lock.
    turn: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// SQLite file: the hot point reads on the calling thread (see `sqlite::reads`).
    reads: Option<std::sync::Arc<sqlite::reads::SqliteReads>>,
    clients: cache::TtlCache<String, crate::domain::application::Client>,
    origins: cache::TtlCache<(), std::sync::Arc<std::collections::HashSet<String>>>,
    tenants: cache::TtlCache<crate::domain::tenant::TenantId, crate::domain::tenant::Tenant>,
    users: cache::TtlCache<crate::domain::user::UserId, crate::domain::user::User>,
}

impl Store {
    /// Connects to `url` (sqlite: or postgres://). SQLite runs in WAL mode so readers never wait
    /// for the writer; within the process it gets one writing connection, and the busy timeout is
    /// only for other processes (the CLI) holding the lock.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let db = Database::connect(options(url, max_connections)).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let (writer, queue, turn, reads) = match db.get_database_backend() {
            // Every connection to an in-memory database is a database of its own.
            DbBackend::Sqlite if !in_memory => {
                let writer = Database::connect(options(url, 1)).await?;
                let path = <SqliteConnectOptions as std::str::FromStr>::from_str(url)
                    .map_err(|e| StoreError::Unavailable(format!("SQLite URL: {e}")))?
                    .get_filename()
                    .to_path_buf();
                let turn = std::sync::Arc::new(tokio::sync::Mutex::new(()));
                let queue = sqlite::write_queue::WriteQueue::start(&path, turn.clone())?;
                let reads = std::sync::Arc::new(sqlite::reads::SqliteReads::new(path));
                (writer, Some(queue), Some(turn), Some(reads))
            }
            _ => (db.clone(), None, None, None),
        };
        Ok(Store {
            db,
            writer,
            queue,
            turn,
            reads,
            clients: cache::TtlCache::default(),
            origins: cache::TtlCache::default(),
            tenants: cache::TtlCache::default(),
            users: cache::TtlCache::default(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrations::Migrator::up(&*self.writer().await, None).await?;
        Ok(())
    }

    /// Names of the migrations applied, for `lanyard migrate --json`.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = migrations::Migrator::get_applied_migrations(&self.db).await?;
        Ok(applied.iter().map(|m| m.name().to_string()).collect())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Postgres => "postgresql",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// For reads.
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The inline reader of a SQLite file, if this store has one.
    pub(crate) fn inline_reads(&self) -> Option<&sqlite::reads::SqliteReads> {
        self.reads.as_deref()
    }

    /// For writes and for transactions (which may read what they are about to change): the
    /// writing connection, with the process's write turn held until the returned guard is
    /// dropped (bind it for the length of a transaction).
    pub(crate) async fn writer(&self) -> sqlite::written::Writer<'_> {
        let turn = match &self.turn {
            Some(turn) => Some(turn.lock().await),
            None => None,
        };
        sqlite::written::Writer::new(&self.writer, turn)
    }

    /// Whether single-statement writes take effect in the order they were sent (SQLite's queue),
    /// not only in the order they were answered.
    pub(crate) fn writes_in_order(&self) -> bool {
        self.queue.is_some()
    }

    /// One write statement, atomic on its own: queued and group-committed on SQLite.
    pub(crate) async fn write(&self, stmt: sea_orm::Statement) -> Result<u64, StoreError> {
        Ok(match &self.queue {
            Some(queue) => queue.execute(stmt.sql, sqlite::written::sqlite_params(stmt.values)?).await?,
            None => self.writer.execute_raw(stmt).await?.rows_affected(),
        })
    }

    /// One write statement with `RETURNING`: its first row, if any.
    pub(crate) async fn write_returning(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sqlite::written::Row>, StoreError> {
        Ok(match &self.queue {
            Some(queue) => {
                let rows = queue.query(stmt.sql, sqlite::written::sqlite_params(stmt.values)?).await?;
                rows.into_iter().next().map(sqlite::written::Row::Sqlite)
            }
            None => self.writer.query_one_raw(stmt).await?.map(sqlite::written::Row::Sql),
        })
    }

    /// Raw SQL with `$1`-style placeholders, rewritten to `?1` for SQLite (which accepts both
    /// numbered forms, but sqlx binds `$n` only on PostgreSQL).
    pub(crate) fn statement(&self, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::Statement {
        let backend = self.db.get_database_backend();
        let sql = if backend == DbBackend::Sqlite { sql.replace('$', "?") } else { sql.to_string() };
        sea_orm::Statement::from_sql_and_values(backend, sql, values)
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        if self.queue.is_some() {
            self.writer.close().await?;
        }
        Ok(())
    }

    pub async fn execute_unprepared(&self, sql: &str) -> Result<(), StoreError> {
        self.writer().await.execute_unprepared(sql).await?;
        Ok(())
    }
}

/// Each reading connection's SQLite page cache: 1 MiB (negative: KiB, SQLite's convention).
pub(crate) const READER_CACHE_KIB: &str = "-1024";

fn options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_string());
    // PostgreSQL down: fail within two seconds (answered 503) rather than queue for ten. SQLite
    // is a file: its only wait is for the writer, which may take longer under a burst.
    let wait = if url.starts_with("postgres") { Duration::from_secs(2) } else { Duration::from_secs(10) };
    opts.max_connections(max_connections)
        // No minimum, no idle reaping, no lifetime: then sqlx 0.9 runs no maintenance task at
        // all. Its loop (with `idle_timeout` or `max_lifetime` set) reads the pool's idle count
        // once and visits that many connections, and that count (an atomic decremented after a
        // pop, incremented after a push) can read below zero for an instant when one task
        // releases a connection as another takes it: the loop then runs ~2^64 times inside one
        // poll — a core at 100 % and a runtime that never shuts down (seen in CI: a test's
        // runtime stuck for 15 minutes in `spawn_maintenance_tasks`). Connections open on
        // demand and stay; a dead PostgreSQL connection is still found and replaced on use.
        .min_connections(0)
        .idle_timeout(None::<Duration>)
        .max_lifetime(None::<Duration>)
        .acquire_timeout(wait)
        .connect_timeout(wait)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
                // Each connection keeps its own page cache, and a process holds up to
                // `database_max_connections` of them plus the inline readers: at SQLite's default
                // 2 MiB each, reading a big provider's pages grew the process by ~50 MiB for good.
                // The kernel's page cache holds the file anyway; a miss here is one pread.
                .pragma("cache_size", READER_CACHE_KIB)
                // The writer thread's checkpointer copies the log back (`sqlite::checkpointer`);
                // this is the backstop of a process that writes a lot without one running.
                .pragma("wal_autocheckpoint", sqlite::checkpointer::BACKSTOP_FRAMES)
        });
    opts
}
