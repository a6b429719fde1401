//! F2–F3: a person's authenticator app and recovery codes. The app's secret arrives sealed and
//! leaves sealed; a code's time step is accepted by one conditional UPDATE, so a code works once
//! however many requests carry it; a recovery code is used by one conditional UPDATE too.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::entities::{recovery_code, second_factor};
use super::{Store, StoreError};
use crate::domain::second_factor::EnrolledApp;
use crate::domain::user::UserId;

const TOTP: &str = "totp";

/// The authenticator app as stored: its sealed secret and the newest step it accepted.
pub struct StoredApp {
    pub id: i32,
    pub sealed_secret: String,
    pub last_step: i64,
    pub enrolled: EnrolledApp,
}

impl Store {
    pub async fn totp_app(&self, user_id: UserId) -> Result<Option<StoredApp>, StoreError> {
        let row = second_factor::Entity::find()
            .filter(second_factor::Column::UserId.eq(user_id))
            .filter(second_factor::Column::Kind.eq(TOTP))
            .one(self.conn())
            .await?;
        Ok(row.map(|m| StoredApp {
            id: m.id,
            sealed_secret: m.secret,
            last_step: m.last_step,
            enrolled: EnrolledApp { created_at: m.created_at, last_used_at: m.last_used_at },
        }))
    }

    /// F2, F3: the person's app is `sealed_secret` from now on (any earlier one dies) and their
    /// recovery codes are `digests` (any earlier ones die), in one transaction — if the account
    /// still has `mailed_epoch` (S7: a mailed code that confirmed it dies with the address or
    /// the password, whichever of the two comes first). False when it has not.
    pub async fn enrol_totp(
        &self,
        user_id: UserId,
        sealed_secret: String,
        accepted_step: i64,
        digests: &[String],
        mailed_epoch: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        if !self.epoch_holds(&txn, user_id, mailed_epoch).await? {
            return Ok(false);
        }
        second_factor::Entity::delete_many()
            .filter(second_factor::Column::UserId.eq(user_id))
            .filter(second_factor::Column::Kind.eq(TOTP))
            .exec(&txn)
            .await?;
        second_factor::ActiveModel {
            user_id: Set(user_id),
            kind: Set(TOTP.into()),
            secret: Set(sealed_secret),
            last_step: Set(accepted_step),
            created_at: Set(now),
            last_used_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        insert_codes(&txn, user_id, digests, now).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// F2: the person removes app `app_id` (and its recovery codes), if it is still theirs and
    /// the account still has `mailed_epoch` (S7), in one transaction. False when not.
    pub async fn remove_totp_app(&self, user_id: UserId, app_id: i32, mailed_epoch: i64) -> Result<bool, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        if !self.epoch_holds(&txn, user_id, mailed_epoch).await? {
            return Ok(false);
        }
        let removed = second_factor::Entity::delete_many()
            .filter(second_factor::Column::Id.eq(app_id))
            .filter(second_factor::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        if removed.rows_affected == 0 {
            return Ok(false);
        }
        recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Whether the account still has `mailed_epoch`, checked by a write that holds the user's
    /// row until the transaction ends: an event of S7 that moves the epoch waits for it, or
    /// came first and is seen.
    async fn epoch_holds<C: ConnectionTrait>(
        &self,
        txn: &C,
        user_id: UserId,
        mailed_epoch: i64,
    ) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE users SET mailed_epoch = mailed_epoch WHERE id = $1 AND mailed_epoch = $2",
            vec![user_id.into(), mailed_epoch.into()],
        );
        Ok(txn.execute_raw(stmt).await?.rows_affected() == 1)
    }

    /// Accepts time step `step` for the app: true only if it is newer than every step accepted
    /// before (one statement, so of two requests with one code, one wins).
    pub async fn accept_totp_step(&self, app_id: i32, step: i64, now: i64) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE second_factors SET last_step = $2, last_used_at = $3 WHERE id = $1 AND last_step < $2",
            vec![app_id.into(), step.into(), now.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    /// F3: uses the unused code with this digest; false when there is none (wrong, or used).
    pub async fn use_recovery_code(&self, user_id: UserId, digest: &str, now: i64) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND digest = $2 AND used_at IS NULL",
            vec![user_id.into(), digest.to_string().into(), now.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    pub async fn recovery_codes_left(&self, user_id: UserId) -> Result<u64, StoreError> {
        Ok(recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(self.conn())
            .await?)
    }

    /// F3: new codes void the old ones, in one transaction.
    pub async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        digests: &[String],
        now: i64,
    ) -> Result<(), StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        insert_codes(&txn, user_id, digests, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// F6, F11: the app, the codes and every passkey are gone. How many factors there were.
    pub async fn remove_second_factors(&self, user_id: UserId) -> Result<u64, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let removed =
            second_factor::Entity::delete_many().filter(second_factor::Column::UserId.eq(user_id)).exec(&txn).await?;
        recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(&txn).await?;
        let keys = Store::remove_passkeys_in(&txn, user_id).await?;
        txn.commit().await?;
        Ok(removed.rows_affected + keys)
    }
}

async fn insert_codes<C: ConnectionTrait>(
    txn: &C,
    user_id: UserId,
    digests: &[String],
    now: i64,
) -> Result<(), StoreError> {
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(txn).await?;
    let rows = digests.iter().map(|d| recovery_code::ActiveModel {
        user_id: Set(user_id),
        digest: Set(d.clone()),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    });
    if digests.is_empty() {
        return Ok(());
    }
    recovery_code::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}
