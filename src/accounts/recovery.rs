//! A2: when a provider's super admin is locked out, nobody at the provider can help. They ask
//! from the sign-in help page; a platform operator approves or refuses; on approval Lanyard
//! mails a single-use link (48 hours) to the super admin's verified address, and the super
//! admin chooses the new password. No operator ever sees or sets it, and every step is in the
//! activity record.
//!
//! The help page answers the same whatever was typed (L2): only a real, locked super admin
//! without an open request gets a request, and the page does not say which case it was.

use serde::{Deserialize, Serialize};

use super::admin::{Admin, AdminError};
use super::languages::for_mail;
use super::mailed::{Mailed, Voiding, mailed_current};
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin, address_bucket};
use crate::domain::recovery::{RecoveryRequest, RecoveryRequestListed, RecoveryStatus};
use crate::domain::tenant::{ProviderCode, Tenant};
use crate::domain::user::{LoginName, User, UserType};
use crate::i18n::Msg;
use crate::mail::templates;
use crate::secret::{Secret, is_random_token, random_token};
use crate::store::{Ephemeral, StoreError};

/// A2: the mailed link works for 48 hours.
pub const LINK_TTL: i64 = 48 * 3600;
/// Help requests from one address an hour (anyone can send them).
const REQUESTS_PER_HOUR_PER_ADDRESS: i64 = 10;
const LINK_PURPOSE: &str = "recovery-link";

#[derive(Serialize, Deserialize)]
struct LinkRecord {
    request_id: i32,
    user_id: i32,
    /// S7: the account's `mailed_epoch` at approval. Links from before it existed read 0.
    #[serde(default)]
    mailed_epoch: i64,
}

/// How completing a mailed link to choose a password can fail: A2's recovery link and P3's
/// staff-sent reset link alike.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    /// Expired, used, or never issued: one answer for all.
    #[error("the link is not valid")]
    InvalidLink,
    /// The chosen password fails the policy or the confirmation (per field).
    #[error("password refused")]
    Refused { new_password: Vec<crate::i18n::Msg>, confirm_password: Vec<crate::i18n::Msg> },
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for RecoverError {
    fn from(e: StoreError) -> Self {
        RecoverError::Internal(e.into())
    }
}

fn link_key(mac: &crate::secret::Mac, token: &str) -> String {
    format!("recovery-link:{}", mac.sign(LINK_PURPOSE, token))
}

impl Accounts {
    /// The help page's request. Always `Ok(())` unless storage fails: whether a request was
    /// made is recorded, not shown.
    pub async fn request_recovery(
        &self,
        provider_code: &str,
        login_name: &str,
        origin: &Origin,
    ) -> Result<(), Internal> {
        let now = self.clock.now();
        let hour = now - now.rem_euclid(3600);
        let key = Ephemeral::secret_key("recovery-ip", &format!("{hour}:{}", address_bucket(&origin.ip)));
        if self.ephemeral.incr(&key, 3600).await? > REQUESTS_PER_HOUR_PER_ADDRESS {
            return Ok(());
        }
        let tenant = match ProviderCode::parse(provider_code.trim()) {
            Some(code) => self.store.tenant_by_code(&code).await?,
            None => None,
        };
        let user = match (&tenant, LoginName::parse(login_name)) {
            (Some(t), Ok(name)) => self.store.user_by_login(t.id, &name).await?,
            _ => None,
        };
        let (Some(tenant), Some(user)) = (tenant, user) else { return Ok(()) };
        let eligible = recoverable(&user);
        // Approved counts as open only while its link may still be used: a lost mail or an
        // expired link must not block the super admin for ever.
        let open = self
            .store
            .open_recovery_request(user.id)
            .await?
            .filter(|r| r.status == RecoveryStatus::Pending || r.decided_at.is_some_and(|at| at + LINK_TTL > now));
        if !eligible || open.is_some() {
            return Ok(());
        }
        let request = self.store.create_recovery_request(tenant.id, user.id, now).await?;
        let detail = format!("super-admin recovery request {} (A2)", request.id);
        self.note_recovery(&tenant, &user, detail, origin.clone(), String::new()).await?;
        Ok(())
    }

    /// The link's record, its raw stored form and its account, while the link may still be
    /// used: the request is still approved (not withdrawn, voided or used), the account is still
    /// the locked super admin it was approved for, and nothing voided the link since (S7: a
    /// password set, a new address, an admin lock, deactivation or deletion after the approval).
    async fn live_recovery_link(&self, token: &str) -> Result<Option<(LinkRecord, String, User)>, Internal> {
        if !is_random_token(token) {
            return Ok(None);
        }
        let Some(raw) = self.ephemeral.get(&link_key(&self.mac, token)).await? else { return Ok(None) };
        let Ok(record) = serde_json::from_str::<LinkRecord>(&raw) else { return Ok(None) };
        let approved = self.store.recovery_request(record.request_id).await?;
        if !approved.is_some_and(|r| r.status == RecoveryStatus::Approved && r.user_id == record.user_id) {
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(record.user_id).await? else { return Ok(None) };
        if !recoverable(&user) || !mailed_current(&user, record.mailed_epoch) {
            return Ok(None);
        }
        Ok(Some((record, raw, user)))
    }

    /// Whether `token` is a live link (the page shows the form only then).
    pub async fn recovery_link_valid(&self, token: &str) -> Result<bool, Internal> {
        Ok(self.live_recovery_link(token).await?.is_some())
    }

    /// The super admin chooses the password: the policy first, then the link is taken (single
    /// use), the password set, both locks lifted, every session ended.
    pub async fn complete_recovery(
        &self,
        token: &str,
        new_password: &Secret,
        confirm: &Secret,
        origin: &Origin,
    ) -> Result<(), RecoverError> {
        let Some((record, raw, user)) = self.live_recovery_link(token).await? else {
            return Err(RecoverError::InvalidLink);
        };
        let Some(tenant) = self.store.tenant_by_id(user.tenant_id).await? else {
            return Err(RecoverError::InvalidLink);
        };
        let (new_errors, confirm_errors) = self.new_password_errors(&user, &tenant, new_password, confirm).await?;
        if !new_errors.is_empty() || !confirm_errors.is_empty() {
            return Err(RecoverError::Refused { new_password: new_errors, confirm_password: confirm_errors });
        }
        // Hashed before the link is taken: a busy hash pool must not burn the link.
        let hash = self.hasher.hash(new_password).await.map_err(Internal::from)?;
        if !self.ephemeral.take_if(&link_key(&self.mac, token), &raw).await? {
            return Err(RecoverError::InvalidLink);
        }
        let now = self.clock.now();
        // One statement: only while the account is still the locked super admin at the link's
        // epoch (S7) — an admin lock, deactivation or new password after the approval stands,
        // and is never lifted by the link.
        if !self.store.set_password_mailed(user.id, hash, record.mailed_epoch, true, now).await? {
            return Err(RecoverError::InvalidLink);
        }
        self.store.complete_recovery_request(record.request_id).await?;
        self.end_all_sessions(&user).await?;
        self.mailed_voided(&user, Voiding::PasswordSet, Some(Mailed::RecoveryLink), origin, "").await?;
        let detail = format!("password chosen with recovery link {} (A2); account unlocked", record.request_id);
        self.note_recovery(&tenant, &user, detail, origin.clone(), String::new()).await?;
        Ok(())
    }

    async fn note_recovery(
        &self,
        tenant: &Tenant,
        user: &User,
        detail: String,
        origin: Origin,
        actor: String,
    ) -> Result<(), StoreError> {
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::PasswordReset,
            detail,
            login_type: "recovery".into(),
            client_id: None,
            origin,
            actor,
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }
}

/// A2 is for a provider's super admin who is locked out, and only while they are.
fn recoverable(user: &User) -> bool {
    user.user_type == UserType::SuperAdmin && user.status.is_locked()
}

impl Admin<'_> {
    /// Newest first, at most 500, each with its provider code and login name.
    pub async fn recovery_requests(
        &self,
        status: Option<RecoveryStatus>,
    ) -> Result<Vec<RecoveryRequestListed>, Internal> {
        let mut listed = Vec::new();
        for request in self.store.list_recovery_requests(status, 500).await? {
            let (login_name, provider_code) = match self.account(request.user_id, request.tenant_id).await? {
                Some((user, tenant)) => {
                    (user.login_name.as_str().to_string(), tenant.provider_code.as_str().to_string())
                }
                None => ("(deleted)".to_string(), String::new()),
            };
            listed.push(RecoveryRequestListed { request, provider_code, login_name });
        }
        Ok(listed)
    }

    async fn open_request(&self, id: i32) -> Result<(RecoveryRequest, Tenant, User), AdminError> {
        let request = self
            .store
            .recovery_request(id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("recovery request {id}")))?;
        let (user, tenant) = self
            .account(request.user_id, request.tenant_id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("the user of recovery request {id}")))?;
        Ok((request, tenant, user))
    }

    /// A platform operator approves: a single-use link goes to the super admin's verified
    /// address. `base` is Lanyard's public origin, for the link.
    pub async fn approve_recovery(&self, id: i32, base: &str) -> Result<RecoveryRequest, AdminError> {
        let (request, tenant, user) = self.open_request(id).await?;
        if request.status != RecoveryStatus::Pending {
            return Err(AdminError::Refused(format!("recovery request {id} is {}", request.status.as_str())));
        }
        if !recoverable(&user) {
            return Err(AdminError::Refused(format!(
                "recovery request {id}: the account is no longer a locked super admin"
            )));
        }
        let email = match (&user.email, user.email_verified) {
            (Some(e), true) => e.clone(),
            _ => {
                return Err(AdminError::Refused(format!(
                    "recovery request {id}: the super admin has no verified address to send the link to"
                )));
            }
        };
        let token = random_token();
        let link = format!("{}/recover?token={token}", base.trim_end_matches('/'));
        let ctx = minijinja::context! { link, hours => LINK_TTL / 3600, provider => tenant.name };
        let message = templates::message(
            for_mail(None, Some(&user), &tenant),
            "recovery_link",
            &email,
            &Msg::new("mail-recovery-link-subject"),
            ctx,
        )
        .map_err(|e| AdminError::Internal(Internal::Mail(e.to_string())))?;
        let now = self.clock.now();
        let by = self.actor.acting.actor.clone();
        // The link exists before the request says so: a failure between the two leaves a
        // pending request (try again), never an approval without a link.
        let record =
            serde_json::to_string(&LinkRecord { request_id: id, user_id: user.id, mailed_epoch: user.mailed_epoch })
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let key = link_key(&self.mac, &token);
        self.ephemeral.put(&key, &record, LINK_TTL).await?;
        if !self.store.decide_recovery_request(id, RecoveryStatus::Pending, RecoveryStatus::Approved, &by, now).await? {
            self.ephemeral.delete(&key).await?;
            return Err(AdminError::Refused(format!("recovery request {id} was decided meanwhile")));
        }
        self.outbox.dispatch(message);
        let detail = format!("recovery request {id} approved; link mailed (A2)");
        self.note_recovery(&tenant, &user, detail, self.actor.acting.origin.clone(), by).await?;
        Ok(self.store.recovery_request(id).await?.unwrap_or(request))
    }

    pub async fn refuse_recovery(&self, id: i32) -> Result<RecoveryRequest, AdminError> {
        let (request, tenant, user) = self.open_request(id).await?;
        let by = self.actor.acting.actor.clone();
        let now = self.clock.now();
        if !self.store.decide_recovery_request(id, RecoveryStatus::Pending, RecoveryStatus::Refused, &by, now).await? {
            return Err(AdminError::Refused(format!("recovery request {id} is {}", request.status.as_str())));
        }
        let detail = format!("recovery request {id} refused (A2)");
        self.note_recovery(&tenant, &user, detail, self.actor.acting.origin.clone(), by).await?;
        Ok(self.store.recovery_request(id).await?.unwrap_or(request))
    }

    /// A platform operator takes an approval back: the mailed link stops working.
    pub async fn withdraw_recovery(&self, id: i32) -> Result<RecoveryRequest, AdminError> {
        let (request, tenant, user) = self.open_request(id).await?;
        let by = self.actor.acting.actor.clone();
        let now = self.clock.now();
        if !self
            .store
            .decide_recovery_request(id, RecoveryStatus::Approved, RecoveryStatus::Withdrawn, &by, now)
            .await?
        {
            return Err(AdminError::Refused(format!(
                "recovery request {id} is {}: only an approved request can be withdrawn",
                request.status.as_str()
            )));
        }
        let detail = format!("recovery request {id} withdrawn; the mailed link no longer works (A2)");
        self.note_recovery(&tenant, &user, detail, self.actor.acting.origin.clone(), by).await?;
        Ok(self.store.recovery_request(id).await?.unwrap_or(request))
    }
}
