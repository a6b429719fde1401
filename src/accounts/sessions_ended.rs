//! L6: which sign-outs tell applications. Ending *all* of a user's sessions on purpose — a
//! reset (S6), any lock (L3, S5, an administrator's), deactivation, deletion, a new password
//! set by an administrator (A1), "sign out everywhere" — goes through [`Accounts::end_all_sessions`]
//! alone: it replaces the user's epoch, which ends every session, code and token at once, and
//! publishes one event that the back-channel notifier turns into logout tokens.
//!
//! Ending *one* session (Lanyard's sign-out page, an application's RP-initiated logout) tells no
//! other application; the application that asked may hear of its own session's end. The others
//! stay remembered with the session, so a later reset or lock still reaches their sessions.

use super::events::{EndedSession, SessionsEnded};
use super::session::{self, SessionRecord};
use super::{Accounts, epoch};
use crate::domain::user::User;
use crate::store::StoreError;

impl Accounts {
    /// The one path for "all of this user's sessions ended". Returns the user's new epoch.
    pub(crate) async fn end_all_sessions(&self, user: &User) -> Result<String, StoreError> {
        let epoch = epoch::bump(&self.ephemeral, user.id).await?;
        let mut sessions = Vec::new();
        for sid in session::take_user_sessions(&self.ephemeral, user.id).await? {
            let client_ids = session::take_applications(&self.ephemeral, &sid).await?;
            sessions.push(EndedSession { sid, client_ids });
        }
        self.events.publish(SessionsEnded { subject: user.subject.clone(), sessions });
        Ok(epoch)
    }

    /// Ends one Lanyard session (the cookie's `id`). `asked_by` is the application whose
    /// RP-initiated logout this is: it alone is told, and only if it had tokens in the session.
    pub async fn end_session(
        &self,
        id: &str,
        record: &SessionRecord,
        asked_by: Option<&str>,
    ) -> Result<(), StoreError> {
        session::delete_session(&self.ephemeral, id).await?;
        let had_tokens = session::applications(&self.ephemeral, &record.sid).await?;
        let Some(client_id) = asked_by.filter(|c| had_tokens.iter().any(|h| h == c)) else {
            return Ok(());
        };
        let Some(user) = self.store.user_by_id(record.user_id).await? else { return Ok(()) };
        let ended = EndedSession { sid: record.sid.clone(), client_ids: vec![client_id.to_string()] };
        self.events.publish(SessionsEnded { subject: user.subject, sessions: vec![ended] });
        Ok(())
    }
}
