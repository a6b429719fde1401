use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

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
        let kid = key.kid.clone();
        row(key)
            .insert(&*self.writer().await)
            .await
            .map_err(|e| StoreError::from_insert(e, format!("signing key {kid}")))?;
        Ok(())
    }

    /// Scheduled rotation, in one transaction: `old_kid` is given its retirement — only if
    /// nobody has yet, so of several nodes racing exactly one gets here — then `new` is stored
    /// and every other key of its algorithm retires at `retire_at` too. `false` (and nothing
    /// written) when another node or an operator replaced `old_kid` first.
    pub async fn replace_signing_key(&self, old_kid: &str, new: StoredKey, retire_at: i64) -> Result<bool, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let claimed = signing_key::Entity::update_many()
            .col_expr(signing_key::Column::RetireAt, sea_orm::sea_query::Expr::value(retire_at))
            .filter(signing_key::Column::Kid.eq(old_kid))
            .filter(signing_key::Column::RetireAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            // Dropped unfinished: rolled back.
            return Ok(false);
        }
        let (alg, kid) = (new.alg.clone(), new.kid.clone());
        row(new).insert(&txn).await.map_err(|e| StoreError::from_insert(e, format!("signing key {kid}")))?;
        signing_key::Entity::update_many()
            .col_expr(signing_key::Column::RetireAt, sea_orm::sea_query::Expr::value(retire_at))
            .filter(signing_key::Column::Alg.eq(alg))
            .filter(signing_key::Column::Kid.ne(kid))
            .filter(signing_key::Column::RetireAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(true)
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
}

fn row(key: StoredKey) -> signing_key::ActiveModel {
    signing_key::ActiveModel {
        kid: Set(key.kid),
        alg: Set(key.alg),
        private_key: Set(key.sealed_private_key),
        public_jwk: Set(key.public_jwk),
        created_at: Set(key.created_at),
        active_from: Set(key.active_from),
        retire_at: Set(key.retire_at),
    }
}
