//! P1–P2: staff invite a person by email to create a portal account. The mail carries a
//! single-use link (random; stored only as a keyed digest, bound to the provider and the
//! address) that works for `invitation_ttl_secs` (48 hours); a resend replaces it, so the
//! earlier link stops working. The person chooses a username and a password (L5) and is signed
//! in; their address counts as verified (they received the link there). Staff see each
//! invitee as invited, expired, active or disabled; disabling is deactivation (A1), one
//! concept, not two.

use super::admin::{Admin, AdminError};
use super::languages::for_mail;
use super::sign_in::SignedIn;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::invitation::{Invitation, InvitationListed, InvitationStatus};
use crate::domain::listing::{Listing, MAX_LIMIT, Position};
use crate::domain::tenant::Tenant;
use crate::domain::user::{LoginName, UserStatus, UserType};
use crate::i18n::Msg;
use crate::mail::templates;
use crate::secret::{Secret, constant_time_eq, hex, is_random_token, random_bytes, random_token};
use crate::store::{NewInvitation, NewUser, StoreError};

const LINK_PURPOSE: &str = "invitation-link";

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Expired, replaced, revoked, used or never issued: one answer for all.
    #[error("the invitation link is not valid")]
    InvalidLink,
    /// What to correct, per field, all at once (L5).
    #[error("registration refused")]
    Refused { login_name: Vec<Msg>, new_password: Vec<Msg>, confirm_password: Vec<Msg> },
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for RegisterError {
    fn from(e: StoreError) -> Self {
        RegisterError::Internal(e.into())
    }
}

/// The person's name as staff type it: short, printable.
fn check_name(name: &str) -> Result<&str, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AdminError::field("name", "1-200 printable characters"));
    }
    Ok(name)
}

fn check_email(email: &str) -> Result<&str, AdminError> {
    let email = email.trim();
    if !super::enrolment::valid_email(email) {
        return Err(AdminError::field("email", "not an email address"));
    }
    Ok(email)
}

impl Accounts {
    /// The stored form of a link: keyed, and bound to the invitation's provider and address,
    /// so a row changed behind Lanyard's back matches no link.
    fn invitation_digest(&self, tenant_id: i32, email: &str, token: &str) -> String {
        self.mac.sign(LINK_PURPOSE, &format!("{tenant_id}\n{}\n{token}", email.to_lowercase()))
    }

    /// The invitation behind a live link (`<id>.<token>`), with its provider and the stored
    /// digest the link matched.
    pub async fn invitation_link(&self, link: &str) -> Result<Option<(Invitation, Tenant)>, Internal> {
        Ok(self.live_invitation(link).await?.map(|(invitation, tenant, _)| (invitation, tenant)))
    }

    async fn live_invitation(&self, link: &str) -> Result<Option<(Invitation, Tenant, String)>, Internal> {
        let Some((id, token)) = link.split_once('.') else { return Ok(None) };
        let (Ok(id), true) = (id.parse::<i32>(), is_random_token(token)) else { return Ok(None) };
        let Some(invitation) = self.store.invitation(id).await? else { return Ok(None) };
        let digest = self.invitation_digest(invitation.tenant_id, &invitation.email, token);
        let live = invitation.status == InvitationStatus::Pending
            && invitation.expires_at > self.clock.now()
            && self
                .store
                .invitation_link_digest(id)
                .await?
                .is_some_and(|d| constant_time_eq(d.as_bytes(), digest.as_bytes()));
        if !live {
            return Ok(None);
        }
        match self.store.tenant_by_id(invitation.tenant_id).await? {
            Some(tenant) if tenant.active => Ok(Some((invitation, tenant, digest))),
            _ => Ok(None),
        }
    }

    /// P1: the person chooses a username (unique in the provider) and a password (L5); the
    /// link is taken and the account created in one transaction, and the person is signed in
    /// ("invitation" in the activity record, L7).
    pub async fn register(
        &self,
        token: &str,
        login_name: &str,
        new_password: &Secret,
        confirm: &Secret,
        origin: &Origin,
    ) -> Result<SignedIn, RegisterError> {
        let Some((invitation, tenant, digest)) = self.live_invitation(token).await? else {
            return Err(RegisterError::InvalidLink);
        };
        let name = LoginName::parse_new(login_name);
        let mut login_errors: Vec<Msg> = name.as_ref().err().cloned().into_iter().collect();
        if let Ok(name) = &name
            && self.store.user_by_login(tenant.id, name).await?.is_some()
        {
            login_errors.push(Msg::new("register-login-name-taken"));
        }
        let spelled = name.as_ref().map(|n| n.as_str()).unwrap_or(login_name);
        let new_errors = tenant.password_policy.violations(new_password.expose(), spelled);
        let confirm_errors = if confirm.is_empty() {
            vec![Msg::new("password-confirm-required")]
        } else if confirm != new_password {
            vec![Msg::new("password-confirm-mismatch")]
        } else {
            vec![]
        };
        let name = match name {
            Ok(name) if login_errors.is_empty() && new_errors.is_empty() && confirm_errors.is_empty() => name,
            _ => {
                return Err(RegisterError::Refused {
                    login_name: login_errors,
                    new_password: new_errors,
                    confirm_password: confirm_errors,
                });
            }
        };
        let hash = self.hasher.hash(new_password).await.map_err(Internal::from)?;
        let new = NewUser {
            tenant_id: tenant.id,
            subject: hex(&random_bytes::<16>()),
            login_name: &name,
            user_type: UserType::Regular,
            password_hash: hash,
            must_change_password: false,
        };
        let now = self.clock.now();
        let user = match self.store.accept_invitation(invitation.id, &digest, new, &invitation.email, now).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(RegisterError::InvalidLink),
            // Taken by someone else between the check and the insert.
            Err(StoreError::Conflict(_)) => {
                return Err(RegisterError::Refused {
                    login_name: vec![Msg::new("register-login-name-taken")],
                    new_password: vec![],
                    confirm_password: vec![],
                });
            }
            Err(e) => return Err(e.into()),
        };
        let epoch = super::epoch::current(&self.ephemeral, user.id).await?;
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::SignIn,
            detail: format!("registered from invitation {}", invitation.id),
            login_type: "invitation".into(),
            client_id: None,
            origin: origin.clone(),
            actor: String::new(),
        };
        self.store.record_activity(&entry, now).await?;
        let accepted = Invitation { user_id: Some(user.id), ..invitation };
        let detail = format!("invitation {} accepted: account {}", accepted.id, user.login_name.as_str());
        let entry = NewActivity {
            kind: ActivityKind::Invitation,
            detail,
            actor: String::new(),
            ..self.invitation_entry(&tenant, &accepted, origin)
        };
        self.store.record_activity(&entry, now).await?;
        let must_enrol = tenant.mfa_policy.requires(user.administers());
        let proofs = vec![crate::domain::second_factor::Proof::Password];
        Ok(SignedIn { user, tenant, must_change_password: false, second_factor: false, must_enrol, epoch, proofs })
    }

    fn invitation_entry(&self, tenant: &Tenant, invitation: &Invitation, origin: &Origin) -> NewActivity {
        NewActivity {
            tenant_id: Some(tenant.id),
            user_id: invitation.user_id,
            login_name: invitation.email.clone(),
            kind: ActivityKind::Invitation,
            detail: String::new(),
            login_type: "admin".into(),
            client_id: None,
            origin: origin.clone(),
            actor: String::new(),
        }
    }
}

impl Admin<'_> {
    /// P2: every invitee of the provider with their portal status, newest first.
    /// One page of a provider's invitations, newest first (at most [`MAX_LIMIT`]).
    pub async fn invitations(
        &self,
        code: &str,
        from: &Position<i32>,
        limit: u64,
    ) -> Result<Listing<InvitationListed>, AdminError> {
        let tenant = self.provider(code).await?;
        let now = self.clock.now();
        let limit = limit.clamp(1, MAX_LIMIT);
        let mut listed = Vec::new();
        for invitation in self.store.invitations_from(tenant.id, from, limit + 1).await? {
            let (portal_status, login_name) = match (invitation.status, invitation.user_id) {
                (InvitationStatus::Pending, _) if invitation.expires_at > now => ("invited", None),
                (InvitationStatus::Pending, _) => ("expired", None),
                (InvitationStatus::Revoked, _) => ("revoked", None),
                (InvitationStatus::Accepted, Some(user_id)) => match self.store.user_by_id(user_id).await? {
                    Some(u) => {
                        let status = match u.status {
                            UserStatus::Active => "active",
                            UserStatus::PasswordLocked | UserStatus::AdminLocked => "locked",
                            UserStatus::Deactivated => "disabled",
                            UserStatus::Deleted => "deleted",
                        };
                        (status, Some(u.login_name.as_str().to_string()))
                    }
                    None => ("deleted", None),
                },
                (InvitationStatus::Accepted, None) => ("deleted", None),
            };
            listed.push(InvitationListed { invitation, portal_status: portal_status.to_string(), login_name });
        }
        Ok(Listing::of(listed, from, limit, |i| i.invitation.id))
    }

    async fn invitation_of(&self, code: &str, id: i32) -> Result<(Tenant, Invitation), AdminError> {
        let tenant = self.provider(code).await?;
        match self.store.invitation(id).await? {
            // Another provider's invitation is as good as none.
            Some(invitation) if invitation.tenant_id == tenant.id => Ok((tenant, invitation)),
            _ => Err(AdminError::NotFound(format!("invitation {id}"))),
        }
    }

    /// P1: a new invitation, mailed at once from the no-reply address (P4).
    pub async fn invite(&self, code: &str, name: &str, email: &str, base: &str) -> Result<Invitation, AdminError> {
        let tenant = self.provider(code).await?;
        let (name, email) = (check_name(name)?, check_email(email)?);
        let now = self.clock.now();
        // One live invitation per address: a second one would only confuse the person.
        if let Some(open) = self.store.open_invitation_to(tenant.id, email, now).await? {
            // A conflict with what exists, not bad input: 409 at the API.
            return Err(AdminError::Conflict(format!("open invitation {} to {email} (resend it instead)", open.id)));
        }
        let token = random_token();
        let new = NewInvitation {
            tenant_id: tenant.id,
            name,
            email,
            link_digest: self.invitation_digest(tenant.id, email, &token),
            expires_at: now + self.link_ttl,
            created_by: &self.actor.acting.actor,
        };
        let invitation = self.store.create_invitation(new, now).await?;
        self.mail_invitation(&tenant, &invitation, &token, base)?;
        self.note_invitation(&tenant, &invitation, format!("invitation {} sent to {email}", invitation.id)).await?;
        Ok(invitation)
    }

    /// P1: a new link replaces the earlier one, which stops working.
    pub async fn resend_invitation(&self, code: &str, id: i32, base: &str) -> Result<Invitation, AdminError> {
        let (tenant, invitation) = self.invitation_of(code, id).await?;
        if invitation.status != InvitationStatus::Pending {
            return Err(AdminError::Refused(format!("invitation {id} is {}", invitation.status.as_str())));
        }
        let token = random_token();
        let now = self.clock.now();
        let digest = self.invitation_digest(tenant.id, &invitation.email, &token);
        if !self.store.replace_invitation_link(id, digest, now, now + self.link_ttl).await? {
            return Err(AdminError::Refused(format!("invitation {id} was used or revoked meanwhile")));
        }
        let invitation = self.store.invitation(id).await?.unwrap_or(invitation);
        self.mail_invitation(&tenant, &invitation, &token, base)?;
        let detail = format!("invitation {id} sent again to {}; the earlier link no longer works", invitation.email);
        self.note_invitation(&tenant, &invitation, detail).await?;
        Ok(invitation)
    }

    /// Withdraws a pending invitation: its link stops working.
    pub async fn revoke_invitation(&self, code: &str, id: i32) -> Result<Invitation, AdminError> {
        let (tenant, invitation) = self.invitation_of(code, id).await?;
        if !self.store.revoke_invitation(id).await? {
            return Err(AdminError::Refused(format!("invitation {id} is {}", invitation.status.as_str())));
        }
        self.note_invitation(&tenant, &invitation, format!("invitation {id} revoked")).await?;
        Ok(self.store.invitation(id).await?.unwrap_or(invitation))
    }

    fn mail_invitation(
        &self,
        tenant: &Tenant,
        invitation: &Invitation,
        token: &str,
        base: &str,
    ) -> Result<(), AdminError> {
        let link = format!("{}/invitation?token={}.{token}", base.trim_end_matches('/'), invitation.id);
        let hours = self.link_ttl / 3600;
        let ctx = minijinja::context! { link, hours, provider => tenant.name, name => invitation.name };
        let subject = Msg::new("mail-invitation-subject").with("provider", tenant.name.clone());
        let message = templates::message(for_mail(None, None, tenant), "invitation", &invitation.email, &subject, ctx)
            .map_err(|e| AdminError::Internal(Internal::Mail(e.to_string())))?;
        self.outbox.dispatch(message);
        Ok(())
    }

    async fn note_invitation(
        &self,
        tenant: &Tenant,
        invitation: &Invitation,
        detail: String,
    ) -> Result<(), StoreError> {
        let entry = NewActivity {
            detail,
            actor: self.actor.acting.actor.clone(),
            ..self.invitation_entry(tenant, invitation, &self.actor.acting.origin)
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }
}
