use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use super::entities::signing_key;
use super::{Store, StoreError};

/// A signing key as stored: the private part sealed with the key-encryption key.
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub sealed_private_key: String,
    pub public_jwk: String,
    pub created_at: i64,
    pub active_from: i64,
    pub retire_at: Option<i64>,
}

impl Store {
    pub async fn insert_signing_key(&self, key: StoredKey) -> Result<(), StoreError> {
        signing_key::ActiveModel {
            kid: Set(key.kid.clone()),
            alg: Set(key.alg),
            private_key: Set(key.sealed_private_key),
            public_jwk: Set(key.public_jwk),
            created_at: Set(key.created_at),
            active_from: Set(key.active_from),
            retire_at: Set(key.retire_at),
        }
        .insert(&*self.writer().await)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("signing key {}", key.kid)))?;
        Ok(())
    }

    /// Keys that may still verify a live token, oldest first.
    pub async fn live_signing_keys(&self, now: i64) -> Result<Vec<StoredKey>, StoreError> {
        let rows = signing_key::Entity::find()
            .filter(
                Condition::any()
                    .add(signing_key::Column::RetireAt.is_null())
                    .add(signing_key::Column::RetireAt.gt(now)),
            )
            .order_by_asc(signing_key::Column::ActiveFrom)
            .all(self.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| StoredKey {
                kid: m.kid,
                alg: m.alg,
                sealed_private_key: m.private_key,
                public_jwk: m.public_jwk,
                created_at: m.created_at,
                active_from: m.active_from,
                retire_at: m.retire_at,
            })
            .collect())
    }

    /// Schedules every other live key of `alg` to retire at `at`.
    pub async fn retire_signing_keys(&self, alg: &str, except_kid: &str, at: i64) -> Result<u64, StoreError> {
        let res = signing_key::Entity::update_many()
            .col_expr(signing_key::Column::RetireAt, sea_orm::sea_query::Expr::value(at))
            .filter(signing_key::Column::Alg.eq(alg))
            .filter(signing_key::Column::Kid.ne(except_kid))
            .filter(signing_key::Column::RetireAt.is_null())
            .exec(&*self.writer().await)
            .await?;
        Ok(res.rows_affected)
    }

    /// Sets `kid`'s retirement if nobody has yet: whether this call did (one conditional write,
    /// so of several nodes racing to replace the key exactly one wins).
    pub async fn claim_key_retirement(&self, kid: &str, at: i64) -> Result<bool, StoreError> {
        let res = signing_key::Entity::update_many()
            .col_expr(signing_key::Column::RetireAt, sea_orm::sea_query::Expr::value(at))
            .filter(signing_key::Column::Kid.eq(kid))
            .filter(signing_key::Column::RetireAt.is_null())
            .exec(&*self.writer().await)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Removes a key that never signed (a rotation that lost its race).
    pub async fn delete_signing_key(&self, kid: &str) -> Result<(), StoreError> {
        signing_key::Entity::delete_by_id(kid.to_string()).exec(&*self.writer().await).await?;
        Ok(())
    }
}
