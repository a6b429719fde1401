//! P1–P2: invitations. The live link is the row's `link_digest` (a keyed digest of the token):
//! a resend replaces it, registration and revocation clear it, each in one conditional
//! statement, so at most one link of an invitation works and it works once.

use sea_orm::TransactionTrait;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::{invitation, user};
use super::{NewUser, Store, StoreError};
use crate::domain::invitation::{Invitation, InvitationStatus};
use crate::domain::listing::Position;
use crate::domain::tenant::TenantId;
use crate::domain::user::{User, UserStatus};

fn to_domain(m: invitation::Model) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id: m.id,
        tenant_id: m.tenant_id,
        name: m.name,
        email: m.email,
        status: InvitationStatus::parse(&m.status)
            .ok_or_else(|| StoreError::Corrupt(format!("invitation status {}", m.status)))?,
        user_id: m.user_id,
        sent_at: m.sent_at,
        expires_at: m.expires_at,
        sends: m.sends,
        created_at: m.created_at,
        created_by: m.created_by,
    })
}

/// A new invitation's facts.
pub struct NewInvitation<'a> {
    pub tenant_id: TenantId,
    pub name: &'a str,
    pub email: &'a str,
    pub link_digest: String,
    pub expires_at: i64,
    pub created_by: &'a str,
}

impl Store {
    pub async fn create_invitation(&self, new: NewInvitation<'_>, now: i64) -> Result<Invitation, StoreError> {
        let model = invitation::ActiveModel {
            tenant_id: Set(new.tenant_id),
            name: Set(new.name.to_string()),
            email: Set(new.email.to_string()),
            status: Set(InvitationStatus::Pending.as_str().into()),
            user_id: Set(None),
            link_digest: Set(Some(new.link_digest)),
            sent_at: Set(now),
            expires_at: Set(new.expires_at),
            sends: Set(1),
            created_at: Set(now),
            created_by: Set(new.created_by.to_string()),
            ..Default::default()
        }
        .insert(&*self.writer().await)
        .await?;
        to_domain(model)
    }

    pub async fn invitation(&self, id: i32) -> Result<Option<Invitation>, StoreError> {
        invitation::Entity::find_by_id(id).one(self.conn()).await?.map(to_domain).transpose()
    }

    /// The digest of the invitation's live link, if it has one.
    pub async fn invitation_link_digest(&self, id: i32) -> Result<Option<String>, StoreError> {
        Ok(invitation::Entity::find_by_id(id).one(self.conn()).await?.and_then(|m| m.link_digest))
    }

    /// Up to `n` of a provider's invitations read from `from`, newest first (by id), walking
    /// away from it: `After` an id reads older ones, `Before` newer ones (nearest first).
    pub async fn invitations_from(
        &self,
        tenant_id: TenantId,
        from: &Position<i32>,
        n: u64,
    ) -> Result<Vec<Invitation>, StoreError> {
        use sea_orm::QuerySelect;
        let query = invitation::Entity::find().filter(invitation::Column::TenantId.eq(tenant_id));
        let query = match from {
            Position::First => query.order_by_desc(invitation::Column::Id),
            Position::After(id) => query.filter(invitation::Column::Id.lt(*id)).order_by_desc(invitation::Column::Id),
            Position::Before(id) => query.filter(invitation::Column::Id.gt(*id)).order_by_asc(invitation::Column::Id),
        };
        query.limit(n).all(self.conn()).await?.into_iter().map(to_domain).collect()
    }

    /// A pending invitation to `email` (compared ignoring ASCII case) whose link still works.
    pub async fn open_invitation_to(
        &self,
        tenant_id: TenantId,
        email: &str,
        now: i64,
    ) -> Result<Option<Invitation>, StoreError> {
        use sea_orm::sea_query::{Expr, ExprTrait, Func};
        invitation::Entity::find()
            .filter(invitation::Column::TenantId.eq(tenant_id))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .filter(invitation::Column::ExpiresAt.gt(now))
            .filter(ExprTrait::eq(Func::lower(Expr::col(invitation::Column::Email)), email.to_ascii_lowercase()))
            .one(self.conn())
            .await?
            .map(to_domain)
            .transpose()
    }

    /// Resend: a new link replaces the old one, only while the invitation is pending.
    pub async fn replace_invitation_link(
        &self,
        id: i32,
        digest: String,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE invitations SET link_digest = $2, sent_at = $3, expires_at = $4, sends = sends + 1 \
             WHERE id = $1 AND status = 'pending'",
            vec![id.into(), digest.into(), now.into(), expires_at.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    pub async fn revoke_invitation(&self, id: i32) -> Result<bool, StoreError> {
        let stmt = self.statement(
            "UPDATE invitations SET status = 'revoked', link_digest = NULL WHERE id = $1 AND status = 'pending'",
            vec![id.into()],
        );
        Ok(self.write(stmt).await? == 1)
    }

    /// Registration, in one transaction: the link is taken (still this invitation's live,
    /// unexpired link) and the account created with the invitation's address, verified. `None`
    /// when the link was taken, replaced, revoked or ran out meanwhile; a login name in use is
    /// `Conflict`, and the link stays usable.
    pub async fn accept_invitation(
        &self,
        id: i32,
        digest: &str,
        new: NewUser<'_>,
        email: &str,
        now: i64,
    ) -> Result<Option<User>, StoreError> {
        let writer = self.writer().await;
        let txn = writer.begin().await?;
        let take = self.statement(
            "UPDATE invitations SET status = 'accepted', link_digest = NULL \
             WHERE id = $1 AND link_digest = $2 AND status = 'pending' AND expires_at > $3",
            vec![id.into(), digest.to_string().into(), now.into()],
        );
        if txn.execute_raw(take).await?.rows_affected() != 1 {
            txn.rollback().await?;
            return Ok(None);
        }
        let model = user::ActiveModel {
            tenant_id: Set(new.tenant_id),
            subject: Set(new.subject),
            login_name: Set(new.login_name.as_str().to_string()),
            login_name_key: Set(new.login_name.key().to_string()),
            user_type: Set(new.user_type.as_str().to_string()),
            status: Set(UserStatus::Active.as_str().to_string()),
            is_user_admin: Set(false),
            is_platform_operator: Set(Some(false)),
            must_change_password: Set(false),
            password_hash: Set(Some(new.password_hash)),
            failed_attempts: Set(0),
            self_reset_enabled: Set(false),
            email: Set(Some(email.to_string())),
            email_verified: Set(true),
            password_changed_at: Set(Some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("user {}", new.login_name.as_str())))?;
        let link_user =
            self.statement("UPDATE invitations SET user_id = $2 WHERE id = $1", vec![id.into(), model.id.into()]);
        txn.execute_raw(link_user).await?;
        txn.commit().await?;
        drop(writer);
        self.user_by_id(model.id).await
    }
}
