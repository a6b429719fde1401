//! The providers a page at a time (issue 31), in provider-code order along its unique index: a
//! platform of 10,000 agencies is never read whole to show fifty.

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::tenant;
use super::like::anywhere;
use super::tenants::to_domain;
use super::{Store, StoreError};
use crate::domain::listing::Position;
use crate::domain::tenant::{Tenant, TenantId};

impl Store {
    /// Up to `n` providers read from `from` by code, walking away from it (backwards from
    /// `Before`); only `only` when given (an administrator of one provider), and only those whose
    /// code or name contains `contains`, ignoring ASCII case.
    pub async fn tenants_from(
        &self,
        only: Option<TenantId>,
        contains: Option<&str>,
        from: &Position,
        n: u64,
    ) -> Result<Vec<Tenant>, StoreError> {
        let mut query = tenant::Entity::find();
        if let Some(id) = only {
            query = query.filter(tenant::Column::Id.eq(id));
        }
        if let Some(text) = contains.filter(|t| !t.is_empty()) {
            let text = text.to_ascii_lowercase();
            let lower = |c: tenant::Column| Expr::expr(Func::lower(Expr::col(c)));
            query = query.filter(
                Condition::any()
                    .add(lower(tenant::Column::ProviderCode).like(anywhere(&text)))
                    .add(lower(tenant::Column::Name).like(anywhere(&text))),
            );
        }
        let code = tenant::Column::ProviderCode;
        query = match from {
            Position::First => query.order_by_asc(code),
            Position::After(key) => query.filter(code.gt(key.as_str())).order_by_asc(code),
            Position::Before(key) => query.filter(code.lt(key.as_str())).order_by_desc(code),
        };
        query.limit(n).all(self.conn()).await?.into_iter().map(to_domain).collect()
    }
}
