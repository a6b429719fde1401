//! Registered applications a page at a time (issue 31), in client-id order, and the ones that
//! serve one provider (T4), found from the provider's side.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::clients::with_links;
use super::entities::{client, client_tenant};
use super::{Store, StoreError};
use crate::domain::application::Client;
use crate::domain::listing::Position;
use crate::domain::tenant::TenantId;

impl Store {
    /// Up to `n` applications read from `from` by client id, walking away from it.
    pub async fn clients_from(&self, from: &Position, n: u64) -> Result<Vec<Client>, StoreError> {
        let id = client::Column::ClientId;
        let query = match from {
            Position::First => client::Entity::find().order_by_asc(id),
            Position::After(key) => client::Entity::find().filter(id.gt(key.as_str())).order_by_asc(id),
            Position::Before(key) => client::Entity::find().filter(id.lt(key.as_str())).order_by_desc(id),
        };
        let models = query.limit(n).all(self.conn()).await?;
        self.with_tenants(models).await
    }

    /// T4: every application whose users may include `tenant_id`'s, by client id.
    pub async fn clients_serving(&self, tenant_id: TenantId) -> Result<Vec<Client>, StoreError> {
        let ids: Vec<String> = client_tenant::Entity::find()
            .filter(client_tenant::Column::TenantId.eq(tenant_id))
            .select_only()
            .column(client_tenant::Column::ClientId)
            .into_tuple()
            .all(self.conn())
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let models = client::Entity::find()
            .filter(client::Column::ClientId.is_in(ids))
            .order_by_asc(client::Column::ClientId)
            .all(self.conn())
            .await?;
        self.with_tenants(models).await
    }

    /// The models with the providers each serves, read in one query.
    async fn with_tenants(&self, models: Vec<client::Model>) -> Result<Vec<Client>, StoreError> {
        if models.is_empty() {
            return Ok(Vec::new());
        }
        let links = client_tenant::Entity::find()
            .filter(client_tenant::Column::ClientId.is_in(models.iter().map(|m| m.client_id.as_str())))
            .order_by_asc(client_tenant::Column::TenantId)
            .all(self.conn())
            .await?;
        with_links(models, &links)
    }
}
