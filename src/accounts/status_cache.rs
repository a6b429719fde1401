//! M1: the open maintenance windows and incidents, cached per process for a moment (every
//! request's maintenance gate reads them). Held by the shared handle; `service_status` fills it.

use crate::domain::service_status::StatusEvent;

#[derive(Debug, Default)]
pub struct StatusCache {
    /// (read at, the open events).
    pub(super) open: std::sync::Mutex<Option<(i64, std::sync::Arc<Vec<StatusEvent>>)>>,
}
