//! The hand-written SQLite engine under the sea-orm repository: one writing thread that
//! commits queued statements in groups (`write_queue`), the thread that copies its log back into
//! the database file (`checkpointer`), point reads on the calling thread
//! (`reads`), and what the two write paths share (`written`). PostgreSQL needs none of it;
//! the repository files above speak sea-orm and reach this only through `Store`.

pub(super) mod checkpointer;
pub(super) mod reads;
pub(super) mod write_queue;
pub(super) mod written;
