//! F1, F9: setting up a passkey or security key as a sign-in's required step, where the
//! provider's policy wants one of this person (`passkey_administrators`, `passkey_everyone`) and
//! they have none. The person names the key, the browser asks it (`webauthn.js`), and the answer
//! — with the code mailed to a verified address, as in Settings (F2) — registers it; the session
//! has then proved it and goes on to what was waiting.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::language;
use super::login::{LoginQuery, next_step};
use super::setup_step::setting_up;
use crate::accounts::Accounts;
use crate::accounts::factors::MAX_CODE_CHARS;
use crate::accounts::passkeys::{PasskeyError, Registration};
use crate::accounts::session::SessionRecord;
use crate::domain::second_factor::MAX_KEY_NAME;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::is_random_token;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    csrf: Option<String>,
    auth: Option<String>,
    step: String,
    name: String,
    answer: String,
    mailed_code: String,
}

async fn render(
    site: &Site,
    headers: &HeaderMap,
    (lang, auth): (Lang, Option<&str>),
    ceremony: Option<(&Registration, &str)>,
    error: Option<Msg>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let auth = auth.filter(|a| is_random_token(a));
    let (options, mailed, name) = match ceremony {
        Some((r, name)) => (Some(r.options.as_str()), r.mailed, name),
        None => (None, false, ""),
    };
    let error = error.map(|m| lang.text(&m));
    let ctx = context! {
        csrf => token.token, auth, options, mailed, name, error, max => MAX_CODE_CHARS, max_name => MAX_KEY_NAME,
    };
    Ok(Page::render(lang, status, "key_setup.html", ctx)?.with_cookie(token.set_cookie).into_response())
}

/// A step of a sign-in: the language of the interaction `auth` names, never the account's (L2).
async fn language_of(accounts: &Accounts, headers: &HeaderMap, auth: Option<&str>) -> Result<Lang, PageError> {
    let interaction = match auth {
        Some(id) => accounts.interactions().get(id).await?,
        None => None,
    };
    Ok(language::of_interaction(headers, interaction.as_ref()))
}

/// The session that owes a key now (or may set one up for the waiting request).
async fn owing(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    auth: Option<&str>,
) -> Result<Option<SessionRecord>, PageError> {
    match setting_up(accounts, site, headers, auth).await? {
        Some(s) if accounts.factors().owes_key(&s).await? => Ok(Some(s)),
        _ => Ok(None),
    }
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Result<Response, PageError> {
    match owing(&accounts, &site, &headers, q.auth.as_deref()).await? {
        Some(_) => {
            let lang = language_of(&accounts, &headers, q.auth.as_deref()).await?;
            render(&site, &headers, (lang, q.auth.as_deref()), None, None, StatusCode::OK).await
        }
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<SetupForm>,
) -> Result<Response, PageError> {
    let auth = form.auth.as_deref();
    let Some(mut s) = owing(&accounts, &site, &headers, auth).await? else { return Ok(see_other("/login", vec![])) };
    let lang = language_of(&accounts, &headers, auth).await?;
    // Every answer below is this page again, in this language, for this waiting request.
    let page = (lang, auth);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let expired = Some(Msg::new("factor-form-expired"));
        return render(&site, &headers, page, None, expired, StatusCode::FORBIDDEN).await;
    }
    let Some((user, tenant)) = accounts.account(s.user_id, s.tenant_id).await? else {
        return Ok(see_other("/login", vec![session::clear(&site)]));
    };
    let passkeys = accounts.passkeys();
    let failed = |e: PasskeyError| {
        let (site, headers) = (site.clone(), headers.clone());
        async move {
            let message = super::passkeys::refusal(e)?;
            render(&site, &headers, page, None, Some(message), StatusCode::BAD_REQUEST).await
        }
    };
    match form.step.as_str() {
        "start" => match passkeys.start_registration(&s.sid, &user, &tenant, &form.name).await {
            Ok(registration) => {
                let ceremony = Some((&registration, form.name.trim()));
                render(&site, &headers, page, ceremony, None, StatusCode::OK).await
            }
            Err(e) => failed(e).await,
        },
        "finish" => {
            match passkeys.finish_registration(&s.sid, &user, &tenant, &form.answer, &form.mailed_code, &origin).await {
                Ok(key) => {
                    passkeys.registered_in(&mut s, &key);
                    session::update(&accounts, &site, &headers, &s).await?;
                    Ok(see_other(&next_step(&s, auth), vec![]))
                }
                Err(e) => failed(e).await,
            }
        }
        _ => {
            let unknown = Some(Msg::new("factor-unknown-step"));
            render(&site, &headers, page, None, unknown, StatusCode::BAD_REQUEST).await
        }
    }
}
