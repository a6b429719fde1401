//! F11: the security-key models a provider accepts for its administrators. A model is saved
//! under the provider's row lock, so the list stays bounded however many writes race.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::entities::key_model;
use super::{Store, StoreError};
use crate::domain::second_factor::KeyModel;
use crate::domain::tenant::TenantId;

/// What became of a model saved.
#[derive(Debug, PartialEq, Eq)]
pub enum Put {
    Added,
    Replaced,
    /// The provider lists `max` models already.
    Full,
}

fn model_of(m: key_model::Model) -> KeyModel {
    KeyModel { aaguid: m.aaguid, name: m.name, attestation_ca: m.attestation_ca, created_at: m.created_at }
}

impl Store {
    pub async fn key_models(&self, tenant_id: TenantId) -> Result<Vec<KeyModel>, StoreError> {
        let rows = key_model::Entity::find()
            .filter(key_model::Column::TenantId.eq(tenant_id))
            .order_by_asc(key_model::Column::Id)
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(model_of).collect())
    }

    /// F11: adds or replaces the model of `model.aaguid`, unless the provider lists `max`.
    pub async fn put_key_model(&self, tenant_id: TenantId, model: &KeyModel, max: u64) -> Result<Put, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let hold = self.statement("UPDATE tenants SET id = id WHERE id = $1", vec![tenant_id.into()]);
        if txn.execute_raw(hold).await?.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("tenant {tenant_id}")));
        }
        let mine = key_model::Entity::find().filter(key_model::Column::TenantId.eq(tenant_id));
        let existing = mine.clone().filter(key_model::Column::Aaguid.eq(model.aaguid.clone())).one(&txn).await?;
        let put = match existing {
            Some(row) => {
                let mut row: key_model::ActiveModel = row.into();
                row.name = Set(model.name.clone());
                row.attestation_ca = Set(model.attestation_ca.clone());
                row.update(&txn).await?;
                Put::Replaced
            }
            None if mine.count(&txn).await? >= max => return Ok(Put::Full),
            None => {
                key_model::ActiveModel {
                    tenant_id: Set(tenant_id),
                    aaguid: Set(model.aaguid.clone()),
                    name: Set(model.name.clone()),
                    attestation_ca: Set(model.attestation_ca.clone()),
                    created_at: Set(model.created_at),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                Put::Added
            }
        };
        txn.commit().await?;
        Ok(put)
    }

    /// F11: false when the provider does not list it.
    pub async fn remove_key_model(&self, tenant_id: TenantId, aaguid: &str) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "DELETE FROM key_models WHERE tenant_id = $1 AND aaguid = $2",
            vec![tenant_id.into(), aaguid.to_string().into()],
        );
        Ok(self.write(stmt).await? == 1)
    }
}
