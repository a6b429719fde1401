//! F10: checking one passkey assertion against a person's keys as stored now — shared by the
//! second step of a sign-in and by signing in with a key alone. The check runs inside L3's
//! counted slot (`attempt::counted_check`); what it found (which key, whether it verified its
//! holder, or a clone) is read back once the count has settled.

use std::sync::{Arc, OnceLock};

use serde::Serialize;
use webauthn_rs::prelude::{Credential, PublicKeyCredential, SecurityKey, SecurityKeyAuthentication, WebauthnError};

use super::Accounts;
use super::attempt::Check;
use super::relying_party::RelyingParty;
use crate::domain::user::UserId;
use crate::store::StoreError;

/// The longest answer a browser may send for one ceremony: the form reader's own limit on a
/// field (a larger one is refused before it gets here); enough for an answer without
/// attestation, which is what Lanyard asks for.
pub const MAX_ANSWER_BYTES: usize = 4096;

/// What one assertion proved.
#[derive(Clone, Copy, Debug)]
pub(super) enum Outcome {
    Verified {
        key_id: i32,
        /// The key verified its holder (PIN, biometrics) for this signature.
        user_verified: bool,
        /// F11: its attestation proved a listed model (`hwk`).
        attested: bool,
    },
    /// F10: the sign counter went backwards.
    Cloned { key_id: i32 },
}

/// Where a check leaves its outcome.
pub(super) type Seen = Arc<OnceLock<Outcome>>;

/// The browser's answer, if it can be read at all (an unreadable one is a wrong answer).
pub(super) fn read_answer(answer: &str) -> Option<PublicKeyCredential> {
    (answer.len() <= MAX_ANSWER_BYTES).then(|| serde_json::from_str::<PublicKeyCredential>(answer).ok()).flatten()
}

/// The check of `answer` for the ceremony `state`, against `user_id`'s keys as stored when it
/// runs (the ceremony's copy may be minutes old): `Ok(true)` when a key of theirs signed it and
/// its counter moved on. The write is conditional on the key as read: when another answer moved
/// the key meanwhile (two tabs), the key is read again, and only a counter behind the newest
/// stored one is a clone. `only`, when given, names the keys that may answer.
pub(super) fn check(
    party: RelyingParty,
    state: SecurityKeyAuthentication,
    answer: Option<PublicKeyCredential>,
    user_id: UserId,
    only: Option<Vec<i32>>,
    seen: Seen,
) -> impl FnOnce(Accounts) -> Check + Send + 'static {
    move |accounts: Accounts| -> Check {
        Box::pin(async move {
            let Some(answer) = answer else { return Ok(false) };
            let Some((key_id, _, _, _)) = stored(&accounts, user_id, &answer).await? else { return Ok(false) };
            // Only the keys the caller allows now (F11: a model no longer listed does not count).
            if only.as_ref().is_some_and(|ids| !ids.contains(&key_id)) {
                return Ok(false);
            }
            let result = match party.webauthn().finish_securitykey_authentication(&answer, &state) {
                Ok(result) => result,
                Err(WebauthnError::CredentialPossibleCompromise) => {
                    let _ = seen.set(Outcome::Cloned { key_id });
                    return Ok(false);
                }
                Err(_) => return Ok(false),
            };
            for _ in 0..3 {
                let Some((key_id, was, mut key, attested)) = stored(&accounts, user_id, &answer).await? else {
                    return Ok(false);
                };
                // F10: the counter must move past the stored one, not only past the ceremony's copy.
                let stored_counter = Credential::from(key.clone()).counter;
                if (result.counter() > 0 || stored_counter > 0) && result.counter() <= stored_counter {
                    let _ = seen.set(Outcome::Cloned { key_id });
                    return Ok(false);
                }
                key.update_credential(&result);
                let credential = serde_json::to_string(&key).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let now = accounts.clock.now();
                if accounts.store.passkey_used(key_id, &was, &credential, result.backup_state(), now).await? {
                    let _ = seen.set(Outcome::Verified { key_id, user_verified: result.user_verified(), attested });
                    return Ok(true);
                }
            }
            // Moved by others three times over while this answer was checked: not proved here.
            Ok(false)
        })
    }
}

/// The key `answer` names among `user_id`'s, as stored now: its id, its stored form, it, and
/// whether it is attested (F11).
async fn stored(
    accounts: &Accounts,
    user_id: UserId,
    answer: &PublicKeyCredential,
) -> Result<Option<(i32, String, SecurityKey, bool)>, StoreError> {
    let keys = accounts.store.passkeys(user_id).await?;
    Ok(keys.iter().find_map(|k| {
        let key = serde_json::from_str::<SecurityKey>(&k.credential).ok()?;
        let theirs = key.cred_id().as_ref() == answer.raw_id.as_ref();
        theirs.then_some((k.key.id, k.credential.clone(), key, k.key.attested))
    }))
}

/// Whether an answer's authenticator data says the key verified its holder (the UV flag, bit 2
/// of the flags byte after the 32-byte relying-party hash). Read before the signature is
/// checked only to choose what a right answer does to L3's count; a flag that lies fails the
/// signature, which covers it.
pub(super) fn claims_user_verified(answer: &PublicKeyCredential) -> bool {
    let data: &[u8] = answer.response.authenticator_data.as_ref();
    data.get(32).is_some_and(|flags| flags & 0x04 != 0)
}

/// The options as the page's script reads them: the `publicKey` member, without the library's
/// security-key hint, so a laptop's or phone's own passkey is offered as readily as a USB key,
/// and without its credProtect request, which Chromium refuses for a non-discoverable
/// credential ("protection policy is inconsistent"); user verification is still asked
/// (preferred) and recorded per key and per sign-in. `without_transports` drops each allowed
/// key's transports too (a sign-in without the password: what a decoy cannot know, a real
/// person's options must not show).
pub(super) fn browser_options<T: Serialize>(options: &T, without_transports: bool) -> String {
    let mut value = serde_json::to_value(options).unwrap_or_default();
    if let Some(public_key) = value.get_mut("publicKey").and_then(|p| p.as_object_mut()) {
        public_key.remove("hints");
        if let Some(extensions) = public_key.get_mut("extensions").and_then(|e| e.as_object_mut()) {
            extensions.remove("credentialProtectionPolicy");
            extensions.remove("enforceCredentialProtectionPolicy");
        }
        if let (true, Some(allowed)) =
            (without_transports, public_key.get_mut("allowCredentials").and_then(|a| a.as_array_mut()))
        {
            for key in allowed.iter_mut().filter_map(|k| k.as_object_mut()) {
                key.remove("transports");
            }
        }
    }
    // A data block inside the page: nothing in it may close the element.
    value.get("publicKey").map(|v| v.to_string().replace('<', "\\u003c")).unwrap_or_default()
}
