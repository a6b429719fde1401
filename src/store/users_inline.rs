//! The reads every refresh makes for T4 — the person's row and their status in the application
//! — in as few hops as the backend allows (issue 31: under load a refresh spent more time
//! switching threads and waiting on round trips than reading). On SQLite both run on the inline
//! readers (`sqlite::reads`), on the calling thread, where sqlx would hop to a worker thread and
//! back for each; any reader that would wait, or any error, takes the sqlx path, so the answers
//! are the same. Elsewhere the two are one query.

use sea_orm::{ConnectionTrait, FromQueryResult};

use super::entities::user;
use super::{Store, StoreError};
use crate::domain::user::{User, UserId};

/// Every column of `users`, in [`model`]'s order.
const USER_COLUMNS: &str = "id, tenant_id, subject, login_name, login_name_key, user_type, status, is_user_admin, \
     is_platform_operator, must_change_password, password_hash, failed_attempts, attempts_in_flight, \
     attempts_in_flight_since, self_reset_enabled, email, email_verified, password_changed_at, last_sign_in_at, \
     created_at, updated_at, mailed_epoch, language";

fn model(r: &rusqlite::Row<'_>) -> rusqlite::Result<user::Model> {
    Ok(user::Model {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        subject: r.get(2)?,
        login_name: r.get(3)?,
        login_name_key: r.get(4)?,
        user_type: r.get(5)?,
        status: r.get(6)?,
        is_user_admin: r.get(7)?,
        is_platform_operator: r.get(8)?,
        must_change_password: r.get(9)?,
        password_hash: r.get(10)?,
        failed_attempts: r.get(11)?,
        attempts_in_flight: r.get(12)?,
        attempts_in_flight_since: r.get(13)?,
        self_reset_enabled: r.get(14)?,
        email: r.get(15)?,
        email_verified: r.get(16)?,
        password_changed_at: r.get(17)?,
        last_sign_in_at: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
        mailed_epoch: r.get(21)?,
        language: r.get(22)?,
    })
}

impl Store {
    /// The person by id, fresh from the database (decisions are made on it).
    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(reads) = self.inline_reads() {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
            if let Some(rows) = reads.query(&sql, [id], model) {
                return rows.into_iter().next().map(super::users::to_domain).transpose();
            }
        }
        self.user_by_id_pooled(id).await
    }

    /// T4: the person's status in one application (`None`: never set).
    pub async fn app_access(&self, user_id: UserId, client_id: &str) -> Result<Option<String>, StoreError> {
        if let Some(reads) = self.inline_reads() {
            let sql = "SELECT status FROM user_app_access WHERE user_id = ?1 AND client_id = ?2";
            if let Some(rows) = reads.query(sql, rusqlite::params![user_id, client_id], |r| r.get(0)) {
                return Ok(rows.into_iter().next());
            }
        }
        self.app_access_pooled(user_id, client_id).await
    }

    /// The person by id and their status in `client_id` (`None`: never set), read together.
    pub async fn user_and_app_access(
        &self,
        user_id: UserId,
        client_id: &str,
    ) -> Result<(Option<User>, Option<String>), StoreError> {
        if self.inline_reads().is_some() {
            return Ok((self.user_by_id(user_id).await?, self.app_access(user_id, client_id).await?));
        }
        let sql = "SELECT users.*, (SELECT a.status FROM user_app_access a \
                   WHERE a.user_id = users.id AND a.client_id = $2) AS app_status FROM users WHERE users.id = $1";
        let stmt = self.statement(sql, vec![user_id.into(), client_id.into()]);
        let Some(row) = self.conn().query_one_raw(stmt).await? else { return Ok((None, None)) };
        let status: Option<String> = row.try_get("", "app_status")?;
        let user = super::users::to_domain(user::Model::from_query_result(&row, "")?)?;
        Ok((Some(user), status))
    }
}
