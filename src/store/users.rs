use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::user;
use super::{Store, StoreError};
use crate::domain::tenant::TenantId;
use crate::domain::user::{LoginName, User, UserId, UserStatus, UserType};

pub(super) fn to_domain(m: user::Model) -> Result<User, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("{what} of user {}", m.id));
    Ok(User {
        id: m.id,
        tenant_id: m.tenant_id,
        login_name: LoginName::parse(&m.login_name).map_err(|_| corrupt("login name"))?,
        user_type: UserType::parse(&m.user_type).ok_or_else(|| corrupt("type"))?,
        status: UserStatus::parse(&m.status).ok_or_else(|| corrupt("status"))?,
        subject: m.subject,
        is_user_admin: m.is_user_admin,
        is_platform_operator: m.is_platform_operator.unwrap_or(false),
        must_change_password: m.must_change_password,
        password_hash: m.password_hash,
        failed_attempts: m.failed_attempts,
        self_reset_enabled: m.self_reset_enabled,
        email: m.email,
        email_verified: m.email_verified,
        created_at: m.created_at,
        last_sign_in_at: m.last_sign_in_at,
        mailed_epoch: m.mailed_epoch.unwrap_or(0),
        language: m.language,
    })
}

/// How a password is written: L4's flag; S7's condition for one chosen with a mailed credential;
/// A2's unlock.
#[derive(Clone, Copy, Debug, Default)]
struct PasswordWrite {
    must_change: bool,
    /// Only while the account is still at this `mailed_epoch`.
    mailed_epoch: Option<i64>,
    /// A2: only a locked super admin, who is unlocked by it.
    recovery: bool,
}

pub struct NewUser<'a> {
    pub tenant_id: TenantId,
    pub subject: String,
    pub login_name: &'a LoginName,
    pub user_type: UserType,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// What a right answer settles (see `settle_sign_in_attempt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnRight {
    SignedIn,
    Reset,
    Keep,
}

impl Store {
    pub async fn create_user(&self, new: NewUser<'_>, now: i64) -> Result<User, StoreError> {
        let model = user::ActiveModel {
            tenant_id: Set(new.tenant_id),
            subject: Set(new.subject),
            login_name: Set(new.login_name.as_str().to_string()),
            login_name_key: Set(new.login_name.key().to_string()),
            user_type: Set(new.user_type.as_str().to_string()),
            status: Set(UserStatus::Active.as_str().to_string()),
            is_user_admin: Set(new.user_type.is_admin()),
            is_platform_operator: Set(Some(false)),
            must_change_password: Set(new.must_change_password),
            password_hash: Set(Some(new.password_hash)),
            failed_attempts: Set(0),
            self_reset_enabled: Set(false),
            email: Set(None),
            email_verified: Set(false),
            password_changed_at: Set(Some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&*self.writer().await)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("user {}", new.login_name.as_str())))?;
        to_domain(model)
    }

    /// T2: looked up by the folded key, so any capitalisation finds the one account.
    pub async fn user_by_login(&self, tenant_id: TenantId, login: &LoginName) -> Result<Option<User>, StoreError> {
        let found = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::LoginNameKey.eq(login.key()))
            .one(self.conn())
            .await?;
        found.map(to_domain).transpose()
    }

    /// By the stable `sub` claim.
    pub async fn user_by_subject(&self, subject: &str) -> Result<Option<User>, StoreError> {
        let found = user::Entity::find().filter(user::Column::Subject.eq(subject)).one(self.conn()).await?;
        found.map(to_domain).transpose()
    }

    /// The person by id through sqlx (`user_by_id` reads inline where it can).
    pub(super) async fn user_by_id_pooled(&self, id: UserId) -> Result<Option<User>, StoreError> {
        user::Entity::find_by_id(id).one(self.conn()).await?.map(to_domain).transpose()
    }

    /// The user for stating claims (userinfo), from the per-process cache when it is fresh: a few
    /// seconds' staleness of a name or an email is the price of one read less on every userinfo
    /// call. Never for decisions: a lock, deactivation or deletion reaches tokens through the
    /// user's epoch, which is always read.
    pub async fn user_for_claims(&self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.users.get(&id) {
            return Ok(Some(user));
        }
        let found = self.user_by_id(id).await?;
        if let Some(user) = &found {
            self.users.put(id, user);
        }
        Ok(found)
    }

    /// Replaces the password hash; `must_change` is L4's flag (temporary passwords set it).
    /// The previous hash goes to the history in the same transaction (L5's "last N passwords").
    /// A person's own change: replaces the password only if it is still the one they just proved
    /// (`verified`), the account is active and no forced change is pending — an administrator's
    /// new password, lock or deactivation that landed meanwhile is never overwritten. False when
    /// nothing changed.
    pub async fn replace_own_password(
        &self,
        id: UserId,
        verified: &str,
        hash: String,
        now: i64,
    ) -> Result<bool, StoreError> {
        use super::entities::password_history;
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let swap = self.statement(
            "UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3, mailed_epoch = mailed_epoch + 1 \
             WHERE id = $1 AND password_hash = $4 AND status = 'active' AND must_change_password = $5",
            vec![id.into(), hash.into(), now.into(), verified.into(), false.into()],
        );
        if txn.execute_raw(swap).await?.rows_affected() != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        password_history::ActiveModel {
            user_id: Set(id),
            hash: Set(verified.to_string()),
            changed_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.users.forget(&id);
        Ok(true)
    }

    /// S7: the password is set by anyone; every credential mailed before is void.
    pub async fn set_password(&self, id: UserId, hash: String, must_change: bool, now: i64) -> Result<(), StoreError> {
        self.write_password(id, hash, PasswordWrite { must_change, ..PasswordWrite::default() }, now).await?;
        Ok(())
    }

    /// A password chosen with a mailed credential (S4, P3, A2): written only while the account
    /// is still at the credential's `mailed_epoch` (nothing voided it meanwhile, S7) and, for A2,
    /// still the locked super admin the request was approved for. True when it was written.
    pub async fn set_password_mailed(
        &self,
        id: UserId,
        hash: String,
        mailed_epoch: i64,
        recovery: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let write = PasswordWrite { must_change: false, mailed_epoch: Some(mailed_epoch), recovery };
        self.write_password(id, hash, write, now).await
    }

    /// The password and, in the same transaction, the previous hash into the history (L5's
    /// "last N passwords"). Adds one to `mailed_epoch` (S7).
    async fn write_password(&self, id: UserId, hash: String, w: PasswordWrite, now: i64) -> Result<bool, StoreError> {
        use super::entities::password_history;
        use sea_orm::{ConnectionTrait, TransactionTrait};
        self.users.forget(&id);
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let old = user::Entity::find_by_id(id).one(&txn).await?.and_then(|u| u.password_hash);
        let mut sql = String::from(
            "UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4, \
             updated_at = $4, mailed_epoch = mailed_epoch + 1",
        );
        // A2 lifts either lock (the super admin had no one to lift it), counts afresh.
        if w.recovery {
            sql.push_str(", status = 'active', failed_attempts = 0");
        }
        sql.push_str(" WHERE id = $1");
        let mut values: Vec<sea_orm::Value> = vec![id.into(), hash.into(), w.must_change.into(), now.into()];
        if let Some(epoch) = w.mailed_epoch {
            sql.push_str(" AND mailed_epoch = $5");
            values.push(epoch.into());
        }
        if w.recovery {
            sql.push_str(" AND user_type = 'super_admin' AND status IN ('password_locked', 'admin_locked')");
        }
        if txn.execute_raw(self.statement(&sql, values)).await?.rows_affected() != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        if let Some(old) = old {
            password_history::ActiveModel {
                user_id: Set(id),
                hash: Set(old),
                changed_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// The hashes of the user's `n` previous passwords, newest first.
    pub async fn previous_password_hashes(&self, id: UserId, n: u32) -> Result<Vec<String>, StoreError> {
        use super::entities::password_history;
        use sea_orm::QuerySelect;
        let rows = password_history::Entity::find()
            .filter(password_history::Column::UserId.eq(id))
            .order_by_desc(password_history::Column::Id)
            .limit(u64::from(n))
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(|r| r.hash).collect())
    }

    /// Sets the status and clears the failure count (an unlock starts the count afresh). An
    /// admin lock, deactivation or deletion voids every mailed credential (S7).
    pub async fn set_status(&self, id: UserId, status: UserStatus, now: i64) -> Result<(), StoreError> {
        self.users.forget(&id);
        let voids = matches!(status, UserStatus::AdminLocked | UserStatus::Deactivated | UserStatus::Deleted);
        let stmt = self.statement(
            "UPDATE users SET status = $2, failed_attempts = 0, updated_at = $3, \
               mailed_epoch = mailed_epoch + $4 \
             WHERE id = $1",
            vec![id.into(), status.as_str().into(), now.into(), i64::from(voids).into()],
        );
        if self.write(stmt).await? != 1 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }
}

/// L3's counters live on the user row so every Lanyard process shares them: settled failures,
/// and password checks still in flight. An attempt holds a slot while its password is checked;
/// slots are free while failures plus checks in flight stay under the limit.
impl Store {
    /// Takes a slot for one password check. `stale_before`: in-flight checks begun before it
    /// (a crashed process) no longer hold slots. `None` when the account is not active or no
    /// slot is free.
    pub async fn reserve_sign_in_attempt(
        &self,
        id: UserId,
        max: u32,
        now: i64,
        stale_before: i64,
    ) -> Result<Option<()>, StoreError> {
        let stmt = self.statement(
            "UPDATE users SET \
               attempts_in_flight = CASE WHEN attempts_in_flight_since < $3 THEN 1 ELSE attempts_in_flight + 1 END, \
               attempts_in_flight_since = $4 \
             WHERE id = $1 AND status = 'active' \
               AND failed_attempts + CASE WHEN attempts_in_flight_since < $3 THEN 0 ELSE attempts_in_flight END < $2 \
             RETURNING id",
            vec![id.into(), i64::from(max).into(), stale_before.into(), now.into()],
        );
        Ok(self.write_returning(stmt).await?.map(|_| ()))
    }

    /// Settles a check: a right password clears the failures, a wrong one adds one, one that
    /// could not be checked (`None`: the hash pool refused or failed) leaves them as they were.
    /// The wrong one that brings the failures to `max` locks the account in the same statement,
    /// so a crash can never leave the count at the limit with the account still open.
    /// Returns the failures and the account's status afterwards.
    /// `on_right` says what a right answer settles: the whole sign-in (the count cleared, the
    /// account's last sign-in), a check that clears the count, or a first factor with a second
    /// still to come (F5), which must not clear it: else a known password would buy a fresh
    /// round of code guesses each time.
    pub async fn settle_sign_in_attempt(
        &self,
        id: UserId,
        right: Option<bool>,
        max: u32,
        now: i64,
        on_right: OnRight,
    ) -> Result<(i64, UserStatus), StoreError> {
        // SET expressions all read the row as it was before the update.
        let (set, params) = match (right, on_right) {
            (Some(true), OnRight::SignedIn) => {
                ("failed_attempts = 0, last_sign_in_at = $2", vec![id.into(), now.into()])
            }
            (Some(true), OnRight::Reset) => ("failed_attempts = 0", vec![id.into()]),
            (Some(true), OnRight::Keep) => ("failed_attempts = failed_attempts", vec![id.into()]),
            (Some(false), _) => (
                "failed_attempts = failed_attempts + 1, \
                 status = CASE WHEN status = 'active' AND failed_attempts + 1 >= $2 \
                   THEN 'password_locked' ELSE status END, \
                 updated_at = CASE WHEN status = 'active' AND failed_attempts + 1 >= $2 THEN $3 ELSE updated_at END",
                vec![id.into(), i64::from(max).into(), now.into()],
            ),
            (None, _) => ("failed_attempts = failed_attempts", vec![id.into()]),
        };
        let stmt = self.statement(
            &format!(
                "UPDATE users SET {set}, \
                   attempts_in_flight = CASE WHEN attempts_in_flight > 0 THEN attempts_in_flight - 1 ELSE 0 END \
                 WHERE id = $1 RETURNING failed_attempts, status"
            ),
            params,
        );
        let row = self.write_returning(stmt).await?.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        let failed = row.get::<i32>("failed_attempts").map(i64::from)?;
        let status: String = row.get("status")?;
        let status = UserStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("user status {status}")))?;
        Ok((failed, status))
    }

    /// A1: an administrator's reset starts the count afresh.
    pub async fn clear_sign_in_failures(&self, id: UserId) -> Result<(), StoreError> {
        let stmt = self.statement("UPDATE users SET failed_attempts = 0 WHERE id = $1", vec![id.into()]);
        self.write(stmt).await?;
        Ok(())
    }

    /// Locks the account if its settled failures reached `max`; true only for the call that
    /// locked it.
    pub async fn lock_after_failures(&self, id: UserId, max: u32, now: i64) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE users SET status = 'password_locked', updated_at = $3 \
             WHERE id = $1 AND status = 'active' AND failed_attempts >= $2",
            vec![id.into(), i64::from(max).into(), now.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }
}

/// Platform operators.
impl Store {
    /// Every platform operator who is a person, across providers.
    pub async fn platform_operators(&self) -> Result<Vec<User>, StoreError> {
        let rows = user::Entity::find()
            .filter(user::Column::IsPlatformOperator.eq(Some(true)))
            .order_by_asc(user::Column::Id)
            .all(self.conn())
            .await?;
        rows.into_iter().map(to_domain).collect()
    }
}

/// What one administrator's change of a user sets; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserUpdate {
    /// An address an administrator typed: unverified (S2), and it voids what was mailed (S7).
    pub email: Option<String>,
    pub self_reset_enabled: Option<bool>,
    pub is_user_admin: Option<bool>,
    pub user_type: Option<UserType>,
    pub is_platform_operator: Option<bool>,
}

/// A1, T2, S1: an administrator's change of a user, in one statement: all of it or none.
impl Store {
    pub async fn update_user(&self, id: UserId, u: &UserUpdate, now: i64) -> Result<(), StoreError> {
        self.users.forget(&id);
        let mut sets = vec!["updated_at = $2".to_string()];
        let mut values: Vec<sea_orm::Value> = vec![id.into(), now.into()];
        let mut set = |column: &str, value: sea_orm::Value| {
            values.push(value);
            sets.push(format!("{column} = ${}", values.len()));
        };
        if let Some(email) = &u.email {
            set("email", email.clone().into());
            set("email_verified", false.into());
        }
        if let Some(on) = u.self_reset_enabled {
            set("self_reset_enabled", on.into());
        }
        if let Some(on) = u.is_user_admin {
            set("is_user_admin", on.into());
        }
        if let Some(kind) = u.user_type {
            set("user_type", kind.as_str().into());
        }
        if let Some(on) = u.is_platform_operator {
            set("is_platform_operator", on.into());
        }
        if u.email.is_some() {
            sets.push("mailed_epoch = mailed_epoch + 1".into());
        }
        let stmt = self.statement(&format!("UPDATE users SET {} WHERE id = $1", sets.join(", ")), values);
        if self.write(stmt).await? != 1 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }
}

/// S1, S2: the user's self-reset switch and verified address.
impl Store {
    /// Only ever called with an address the user proved they read (S2).
    pub async fn set_verified_email(&self, id: UserId, email: &str, now: i64) -> Result<(), StoreError> {
        self.users.forget(&id);
        self.set_email(id, email, true, now).await
    }

    /// An address an administrator typed is not verified, so it is never used for resets (S2).
    /// A new address voids every credential mailed to the old one (S7).
    pub async fn set_email(&self, id: UserId, email: &str, verified: bool, now: i64) -> Result<(), StoreError> {
        self.users.forget(&id);
        let stmt = self.statement(
            "UPDATE users SET email = $2, email_verified = $3, updated_at = $4, mailed_epoch = mailed_epoch + 1 \
             WHERE id = $1",
            vec![id.into(), email.into(), verified.into(), now.into()],
        );
        if self.write(stmt).await? != 1 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }

    /// S6: a successful reset lifts a password lock, never an admin lock.
    pub async fn lift_password_lock(&self, id: UserId, now: i64) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE users SET status = 'active', failed_attempts = 0, updated_at = $2 \
             WHERE id = $1 AND status = 'password_locked'",
            vec![id.into(), now.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    /// S5: too many wrong reset tokens lock the account administratively.
    pub async fn admin_lock_unless_closed(&self, id: UserId, now: i64) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE users SET status = 'admin_locked', updated_at = $2, mailed_epoch = mailed_epoch + 1 \
             WHERE id = $1 AND status IN ('active', 'password_locked')",
            vec![id.into(), now.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }
}
