//! F6: what an administrator sees of a person's second factors (never a secret) and their
//! reset: the app and the recovery codes are removed, every session of the person ends (the
//! one "sessions ended" path), and the person enrols again if they want or must.

use super::{Admin, AdminError};
use crate::domain::activity::{ActivityKind, NewActivity};
use crate::domain::second_factor::SecondFactors;

impl Admin<'_> {
    /// F6, F11: whether the person has an app and how many recovery codes are left.
    pub async fn second_factors_of(&self, code: &str, login: &str) -> Result<SecondFactors, AdminError> {
        let (_, user) = self.administered(code, login).await?;
        Ok(self.factors().enrolled(user.id).await?)
    }

    /// F6: removes the app and the codes and ends every session; recorded with who acted and
    /// mailed to the person's verified address. Nothing enrolled is nothing to reset: answered
    /// as it is, and not recorded.
    pub async fn reset_second_factors(&self, code: &str, login: &str) -> Result<SecondFactors, AdminError> {
        let (tenant, user) = self.administered(code, login).await?;
        if self.store.remove_second_factors(user.id).await? == 0 {
            return Ok(self.factors().enrolled(user.id).await?);
        }
        self.end_all_sessions(&user).await?;
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::MfaReset,
            detail: "second factors reset by an administrator (F6, F11): app, recovery codes and passkeys removed"
                .into(),
            login_type: "admin".into(),
            client_id: None,
            origin: self.actor.acting.origin.clone(),
            actor: self.actor.acting.actor.clone(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        self.factors().notify(&tenant, &user, crate::i18n::Msg::new("factor-changed-reset-by-admin"));
        Ok(self.factors().enrolled(user.id).await?)
    }
}
