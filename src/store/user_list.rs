//! A provider's users a page at a time (issue 31), walked along the unique
//! (tenant_id, login_name_key) index so no page costs more than the rows it skips.
//!
//! Search is a substring of the folded login name, checked against that same index while it is
//! walked: a page costs at most one provider's keys, whatever the page (a term matching nobody
//! scans 100,000 keys in about 25 ms; benches/RESULTS.md). Trigram indexes (FTS5, pg_trgm) were
//! measured and left out: they answer a rare term of three characters or more in a millisecond
//! but a common or a shorter one in 0.5–2 s, and cost every write; the walk is never worse
//! than its provider's size.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::user;
use super::like::anywhere;
use super::users::to_domain;
use super::{Store, StoreError};
use crate::domain::listing::Position;
use crate::domain::tenant::TenantId;
use crate::domain::user::User;
use crate::domain::user_search::UserSearch;

/// F2 and F9: an authenticator app or a passkey.
const HAS_SECOND_FACTOR: &str = "(EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = users.id) \
     OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = users.id))";

impl Store {
    /// Up to `n` users matching `search`, read from `from` in login-name order (T2's folded key)
    /// and walking away from it: forwards from `First` and `After`, backwards from `Before`.
    pub async fn users_from(
        &self,
        tenant_id: TenantId,
        search: &UserSearch,
        from: &Position,
        n: u64,
    ) -> Result<Vec<User>, StoreError> {
        let mut query = user::Entity::find().filter(user::Column::TenantId.eq(tenant_id));
        if let Some(text) = search.contains() {
            query = query.filter(user::Column::LoginNameKey.like(anywhere(text)));
        }
        if let Some(status) = search.status {
            query = query.filter(user::Column::Status.eq(status.as_str()));
        }
        if let Some(kind) = search.user_type {
            query = query.filter(user::Column::UserType.eq(kind.as_str()));
        }
        match search.second_factor {
            Some(true) => query = query.filter(Expr::cust(HAS_SECOND_FACTOR)),
            Some(false) => query = query.filter(Expr::cust(format!("NOT {HAS_SECOND_FACTOR}"))),
            None => {}
        }
        query = match from {
            Position::First => query.order_by_asc(user::Column::LoginNameKey),
            Position::After(key) => {
                query.filter(user::Column::LoginNameKey.gt(key.as_str())).order_by_asc(user::Column::LoginNameKey)
            }
            Position::Before(key) => {
                query.filter(user::Column::LoginNameKey.lt(key.as_str())).order_by_desc(user::Column::LoginNameKey)
            }
        };
        let query = query.limit(n);
        let row_filters = search.status.is_some() || search.user_type.is_some() || search.second_factor.is_some();
        if search.contains().is_none() || row_filters {
            return query.all(self.conn()).await?.into_iter().map(to_domain).collect();
        }
        // A search alone reads only the index first (PostgreSQL then scans the index without
        // visiting the table: a term matching nobody in 100,000 went from ~40 ms to a few), and
        // the page's rows after, by key.
        let keys: Vec<String> =
            query.select_only().column(user::Column::LoginNameKey).into_tuple().all(self.conn()).await?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::LoginNameKey.is_in(keys.iter().map(String::as_str)))
            .all(self.conn())
            .await?;
        // In the walk's order (forwards or back), as the one-query path answers.
        rows.sort_by_cached_key(|r| keys.iter().position(|k| *k == r.login_name_key));
        rows.into_iter().map(to_domain).collect()
    }
}
