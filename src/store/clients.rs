use std::collections::HashSet;
use std::sync::Arc;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::cache::TtlCache;
use super::entities::{client, client_tenant};
use super::{Store, StoreError};
use crate::clock::Clock;
use crate::domain::application::{Client, ClientMetadata};
use crate::domain::tenant::TenantId;

pub(super) fn to_domain(m: client::Model, tenants: Vec<TenantId>) -> Result<Client, StoreError> {
    let metadata: ClientMetadata = serde_json::from_str(&m.metadata)
        .map_err(|e| StoreError::Corrupt(format!("metadata of client {}: {e}", m.client_id)))?;
    Ok(Client {
        client_id: m.client_id,
        name: m.name,
        metadata,
        tenants,
        secret_hash: m.secret_hash,
        created_at: m.created_at,
    })
}

/// Each registration with the providers it serves, from their links.
pub(super) fn with_links(
    models: Vec<client::Model>,
    links: &[client_tenant::Model],
) -> Result<Vec<Client>, StoreError> {
    models
        .into_iter()
        .map(|m| {
            let tenants = links.iter().filter(|l| l.client_id == m.client_id).map(|l| l.tenant_id).collect();
            to_domain(m, tenants)
        })
        .collect()
}

impl Store {
    /// Inserts the client and its allowed tenants in one transaction.
    pub async fn create_client(
        &self,
        client_id: &str,
        name: &str,
        metadata: &ClientMetadata,
        secret_hash: Option<String>,
        tenants: &[TenantId],
        now: i64,
    ) -> Result<Client, StoreError> {
        let json = serde_json::to_string(metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let model = client::ActiveModel {
            client_id: Set(client_id.to_string()),
            name: Set(name.to_string()),
            secret_hash: Set(secret_hash),
            metadata: Set(json),
            created_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("client {client_id}")))?;
        for tenant_id in tenants {
            client_tenant::ActiveModel { client_id: Set(client_id.to_string()), tenant_id: Set(*tenant_id) }
                .insert(&txn)
                .await?;
        }
        txn.commit().await?;
        self.origins.forget(&());
        to_domain(model, tenants.to_vec())
    }

    /// Turns on the per-process caches of clients, tenants and users' claims (`lanyard serve`;
    /// the CLI reads through). Clients are read on every token, introspection and authorization
    /// request; a presented secret that does not match the cached row is checked again against
    /// the database.
    pub fn cache_clients(mut self, clock: Clock, ttl: i64) -> Self {
        self.clients = TtlCache::new(clock.clone(), ttl);
        self.origins = TtlCache::new(clock.clone(), ttl);
        self.tenants = TtlCache::new(clock.clone(), ttl);
        self.users = TtlCache::new(clock, ttl);
        self
    }

    /// The origins of every registered redirect URI (CORS), built from the whole table at most
    /// once per cache lifetime — not on every request that carries an `Origin` header.
    pub async fn registered_origins(&self) -> Result<Arc<HashSet<String>>, StoreError> {
        if let Some(set) = self.origins.get(&()) {
            return Ok(set);
        }
        let set: HashSet<String> = self
            .list_clients()
            .await?
            .iter()
            .flat_map(|c| c.metadata.redirect_uris.iter())
            .filter_map(|uri| url::Url::parse(uri).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect();
        let set = Arc::new(set);
        self.origins.put((), &set);
        Ok(set)
    }

    pub async fn client(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        if let Some(c) = self.clients.get(&client_id.to_string()) {
            return Ok(Some(c));
        }
        let found = self.client_uncached(client_id).await?;
        if let Some(c) = &found {
            self.clients.put(c.client_id.clone(), c);
        }
        Ok(found)
    }

    /// Straight from the database, refreshing the cache (e.g. after a secret did not match).
    pub async fn client_uncached(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        self.clients.forget(&client_id.to_string());
        let Some(model) = client::Entity::find_by_id(client_id.to_string()).one(self.conn()).await? else {
            return Ok(None);
        };
        let tenants = self.client_tenants(client_id).await?;
        to_domain(model, tenants).map(Some)
    }

    async fn client_tenants(&self, client_id: &str) -> Result<Vec<TenantId>, StoreError> {
        let rows = client_tenant::Entity::find()
            .filter(client_tenant::Column::ClientId.eq(client_id))
            .order_by_asc(client_tenant::Column::TenantId)
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(|r| r.tenant_id).collect())
    }

    /// Every registration, for CORS's origins (read once per cache lifetime).
    async fn list_clients(&self) -> Result<Vec<Client>, StoreError> {
        let models = client::Entity::find().order_by_asc(client::Column::ClientId).all(self.conn()).await?;
        let links = client_tenant::Entity::find().all(self.conn()).await?;
        with_links(models, &links)
    }

    pub async fn set_client_secret(&self, client_id: &str, secret_hash: String) -> Result<(), StoreError> {
        self.clients.forget(&client_id.to_string());
        let updated = client::Entity::update_many()
            .col_expr(client::Column::SecretHash, sea_orm::sea_query::Expr::value(secret_hash))
            .filter(client::Column::ClientId.eq(client_id))
            .exec(&*self.writer().await)
            .await?;
        // Again after the write: a read between the first forget and the write cached the old row.
        self.clients.forget(&client_id.to_string());
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound(format!("client {client_id}")));
        }
        Ok(())
    }
}

impl Store {
    /// Removes the client; its providers and users' per-application statuses go with it (the
    /// foreign keys cascade).
    pub async fn delete_client(&self, client_id: &str) -> Result<(), StoreError> {
        self.clients.forget(&client_id.to_string());
        self.origins.forget(&());
        let deleted = client::Entity::delete_by_id(client_id.to_string()).exec(&*self.writer().await).await?;
        if deleted.rows_affected == 0 {
            return Err(StoreError::NotFound(format!("client {client_id}")));
        }
        Ok(())
    }

    /// Replaces a client's name and registration metadata (its tenants and secret stay).
    pub async fn update_client(
        &self,
        client_id: &str,
        name: &str,
        metadata: &ClientMetadata,
    ) -> Result<(), StoreError> {
        self.clients.forget(&client_id.to_string());
        self.origins.forget(&());
        let json = serde_json::to_string(metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let updated = client::Entity::update_many()
            .col_expr(client::Column::Name, sea_orm::sea_query::Expr::value(name.to_string()))
            .col_expr(client::Column::Metadata, sea_orm::sea_query::Expr::value(json))
            .filter(client::Column::ClientId.eq(client_id))
            .exec(&*self.writer().await)
            .await?;
        // Again after the write: a read between the first forget and the write cached the old row.
        self.clients.forget(&client_id.to_string());
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound(format!("client {client_id}")));
        }
        Ok(())
    }
}
