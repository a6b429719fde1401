//! F9–F11: a person's passkeys and security keys. What is stored is the library's record of
//! each credential (its public key and sign counter, as JSON) beside the flags the pages show;
//! a new key is added under the person's row lock, so the number of keys stays bounded however
//! many registrations race.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::entities::passkey;
use super::{Store, StoreError};
use crate::domain::second_factor::RegisteredKey;
use crate::domain::user::UserId;

/// A key as stored: what people see, and the library's record to verify with.
pub struct StoredPasskey {
    pub key: RegisteredKey,
    pub credential: String,
}

/// A key just registered.
pub struct NewKey {
    pub name: String,
    pub credential_id: String,
    pub credential: String,
    pub aaguid: Option<String>,
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backup_state: bool,
    /// F11: verified against a model the provider lists.
    pub attested: bool,
}

/// What became of a registration.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    Added,
    /// The person already holds `max` keys.
    Full,
    /// The credential is registered already (to this account or another).
    Known,
    /// S7: the account's mailed epoch moved since the ceremony began (its mailed code died).
    Stale,
}

fn key_of(m: passkey::Model) -> StoredPasskey {
    StoredPasskey {
        key: RegisteredKey {
            id: m.id,
            name: m.name,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            aaguid: m.aaguid,
            user_verified: m.user_verified,
            backup_eligible: m.backup_eligible,
            backup_state: m.backup_state,
            attested: m.attested,
            model: None,
        },
        credential: m.credential,
    }
}

impl Store {
    pub async fn passkeys(&self, user_id: UserId) -> Result<Vec<StoredPasskey>, StoreError> {
        let rows = passkey::Entity::find()
            .filter(passkey::Column::UserId.eq(user_id))
            .order_by_asc(passkey::Column::Id)
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(key_of).collect())
    }

    pub async fn has_passkey(&self, user_id: UserId) -> Result<bool, StoreError> {
        Ok(passkey::Entity::find().filter(passkey::Column::UserId.eq(user_id)).count(self.conn()).await? > 0)
    }

    /// F9: adds `key` unless the person holds `max` keys, the credential is known, or the
    /// account's mailed epoch is no longer `mailed_epoch` (S7), in one transaction that holds the
    /// person's row.
    pub async fn add_passkey(
        &self,
        user_id: UserId,
        key: NewKey,
        max: u64,
        mailed_epoch: i64,
        now: i64,
    ) -> Result<Added, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let hold = self.statement(
            "UPDATE users SET mailed_epoch = mailed_epoch WHERE id = $1 AND mailed_epoch = $2",
            vec![user_id.into(), mailed_epoch.into()],
        );
        if txn.execute_raw(hold).await?.rows_affected() != 1 {
            return Ok(Added::Stale);
        }
        if passkey::Entity::find().filter(passkey::Column::UserId.eq(user_id)).count(&txn).await? >= max {
            return Ok(Added::Full);
        }
        let credential_id = key.credential_id.clone();
        let known = passkey::Entity::find().filter(passkey::Column::CredentialId.eq(credential_id.clone()));
        if known.count(&txn).await? > 0 {
            return Ok(Added::Known);
        }
        let inserted = passkey::ActiveModel {
            user_id: Set(user_id),
            name: Set(key.name),
            credential_id: Set(key.credential_id),
            credential: Set(key.credential),
            aaguid: Set(key.aaguid),
            user_verified: Set(key.user_verified),
            backup_eligible: Set(key.backup_eligible),
            backup_state: Set(key.backup_state),
            attested: Set(key.attested),
            created_at: Set(now),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        if let Err(e) = inserted {
            drop(txn);
            // Another account registered the same credential meanwhile: the unique index said no.
            let known = passkey::Entity::find().filter(passkey::Column::CredentialId.eq(credential_id));
            return if known.count(self.conn()).await? > 0 { Ok(Added::Known) } else { Err(e.into()) };
        }
        txn.commit().await?;
        Ok(Added::Added)
    }

    /// F10: a key was used: its record (the new sign counter) and when — only if the record is
    /// still `was` (of two assertions racing, one moves the counter; false for the other).
    pub async fn passkey_used(
        &self,
        id: i32,
        was: &str,
        credential: &str,
        backup_state: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE passkeys SET credential = $3, backup_state = $4, last_used_at = $5 WHERE id = $1 AND credential = $2",
            vec![id.into(), was.to_string().into(), credential.to_string().into(), backup_state.into(), now.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    /// F9: the person renames one of their keys; false when it is not theirs (or gone).
    pub async fn rename_passkey(&self, user_id: UserId, id: i32, name: &str) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE passkeys SET name = $3 WHERE id = $1 AND user_id = $2",
            vec![id.into(), user_id.into(), name.to_string().into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    /// F9: the person removes one of their keys; false when it is not theirs (or gone).
    pub async fn remove_passkey(&self, user_id: UserId, id: i32) -> Result<bool, StoreError> {
        let stmt =
            self.statement("DELETE FROM passkeys WHERE id = $1 AND user_id = $2", vec![id.into(), user_id.into()]);
        Ok(self.write(stmt).await? == 1)
    }

    /// F11: every key of the person (with F6's reset).
    pub(super) async fn remove_passkeys_in<C: ConnectionTrait>(txn: &C, user_id: UserId) -> Result<u64, StoreError> {
        Ok(passkey::Entity::delete_many().filter(passkey::Column::UserId.eq(user_id)).exec(txn).await?.rows_affected)
    }
}
