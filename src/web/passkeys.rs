//! F9: Settings → Passkeys and security keys. The person names a key, the browser asks it (the
//! page's script, `webauthn.js`), and the answer — with the code mailed to a verified address,
//! as for an app (F2) — registers it; the list shows each key's name, when it was added and
//! last used, and whether it verified its user or is synced; a key is removed from a session
//! that proved a second factor.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::factors::MAX_CODE_CHARS;
use crate::accounts::passkey_removal::Removal;
use crate::accounts::passkeys::{PasskeyError, Registration};
use crate::accounts::session::SessionRecord;
use crate::domain::activity::Origin;
use crate::domain::second_factor::MAX_KEY_NAME;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, RequestOrigin, Site, csrf, session};
use crate::i18n::Msg;

use super::language;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct KeyForm {
    csrf: Option<String>,
    step: String,
    name: String,
    answer: String,
    mailed_code: String,
    key: i32,
}

/// F12: this deployment (or the provider) offers no passkeys.
const NOT_OFFERED: Msg = Msg::new("passkey-not-offered");

enum View<'a> {
    List {
        notice: Option<Msg>,
        error: Option<Msg>,
    },
    Ceremony {
        registration: &'a Registration,
        name: &'a str,
    },
    /// A removal waiting for the code mailed to the verified address.
    Removing,
}

async fn render(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: &SessionRecord,
    view: View<'_>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let keys = accounts.passkeys().list(s.user_id).await?;
    let may_change = accounts.factors().may_change(s).await?;
    let offered = match accounts.account(s.user_id, s.tenant_id).await? {
        Some((_, tenant)) => accounts.factors().offered(&tenant) && accounts.passkeys().available(),
        None => false,
    };
    let lang = language::of_session(accounts, headers, s).await?;
    let token = csrf::issue(headers, site);
    let ctx = match view {
        View::List { notice, error } => {
            let (notice, error) = (notice.map(|m| lang.text(&m)), error.map(|m| lang.text(&m)));
            context! { csrf => token.token, keys, may_change, offered, notice, error, max_name => MAX_KEY_NAME }
        }
        View::Removing => context! { csrf => token.token, keys, removing => true, max => MAX_CODE_CHARS },
        View::Ceremony { registration, name } => context! {
            csrf => token.token, keys, ceremony => registration.options, mailed => registration.mailed, name,
            max => MAX_CODE_CHARS,
        },
    };
    let page = Page::render(lang, status, "passkeys.html", ctx)?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match session::complete(&accounts, &site, &headers).await? {
        Some(s) => {
            let view = View::List { notice: None, error: None };
            render(&accounts, &site, &headers, &s, view, StatusCode::OK).await
        }
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<KeyForm>,
) -> Result<Response, PageError> {
    let Some(s) = session::complete(&accounts, &site, &headers).await? else { return Ok(see_other("/login", vec![])) };
    let refuse = |message| View::List { notice: None, error: Some(message) };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let view = refuse(Msg::new("factor-form-expired"));
        return render(&accounts, &site, &headers, &s, view, StatusCode::FORBIDDEN).await;
    }
    let Some((user, tenant)) = accounts.account(s.user_id, s.tenant_id).await? else {
        return Ok(see_other("/login", vec![session::clear(&site)]));
    };
    // F2, F9: with a factor enrolled, only a session that proved one changes the factors.
    if !accounts.factors().may_change(&s).await? {
        let view = refuse(Msg::new("passkey-prove-first"));
        return render(&accounts, &site, &headers, &s, view, StatusCode::FORBIDDEN).await;
    }
    let passkeys = accounts.passkeys();
    let adding = matches!(form.step.as_str(), "start" | "finish");
    if adding && !(accounts.factors().offered(&tenant) && passkeys.available()) {
        return render(&accounts, &site, &headers, &s, refuse(NOT_OFFERED), StatusCode::BAD_REQUEST).await;
    }
    match form.step.as_str() {
        "start" => match passkeys.start_registration(&s.sid, &user, &tenant, &form.name).await {
            Ok(registration) => {
                let view = View::Ceremony { registration: &registration, name: form.name.trim() };
                render(&accounts, &site, &headers, &s, view, StatusCode::OK).await
            }
            Err(e) => failed(&accounts, &site, &headers, &s, e).await,
        },
        "finish" => {
            match passkeys.finish_registration(&s.sid, &user, &tenant, &form.answer, &form.mailed_code, &origin).await {
                Ok(key) => {
                    let mut s = s;
                    passkeys.registered_in(&mut s, &key);
                    session::update(&accounts, &site, &headers, &s).await?;
                    let notice = Msg::new("passkey-added").with("name", key.name);
                    let view = View::List { notice: Some(notice), error: None };
                    render(&accounts, &site, &headers, &s, view, StatusCode::OK).await
                }
                Err(e) => failed(&accounts, &site, &headers, &s, e).await,
            }
        }
        "remove" => match passkeys.start_removal(&s.sid, &user, &tenant, form.key, &origin).await {
            Ok(Removal::Done(epoch)) => removed(&accounts, &site, &headers, s, epoch, &origin).await,
            Ok(Removal::Mailed) => render(&accounts, &site, &headers, &s, View::Removing, StatusCode::OK).await,
            Err(e) => failed(&accounts, &site, &headers, &s, e).await,
        },
        "remove_confirm" => match passkeys.confirm_removal(&s.sid, &user, &tenant, &form.mailed_code, &origin).await {
            Ok(epoch) => removed(&accounts, &site, &headers, s, epoch, &origin).await,
            Err(e) => failed(&accounts, &site, &headers, &s, e).await,
        },
        "rename" => match passkeys.rename(&user, form.key, &form.name).await {
            Ok(true) => {
                let view = View::List { notice: Some(Msg::new("passkey-renamed")), error: None };
                render(&accounts, &site, &headers, &s, view, StatusCode::OK).await
            }
            Ok(false) => {
                let view = refuse(Msg::new("passkey-not-yours"));
                render(&accounts, &site, &headers, &s, view, StatusCode::BAD_REQUEST).await
            }
            Err(e) => failed(&accounts, &site, &headers, &s, e).await,
        },
        _ => {
            let view = refuse(Msg::new("factor-unknown-step"));
            render(&accounts, &site, &headers, &s, view, StatusCode::BAD_REQUEST).await
        }
    }
}

/// Removing a key ended every session (as with an app): this browser goes on in a new one.
async fn removed(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: SessionRecord,
    epoch: String,
    origin: &Origin,
) -> Result<Response, PageError> {
    let next = accounts.session_after_change(&s, epoch);
    let cookie = session::start(accounts, site, headers, &next, origin).await?;
    let view = View::List { notice: Some(Msg::new("passkey-removed")), error: None };
    Ok(session::with_cookie(render(accounts, site, headers, &next, view, StatusCode::OK).await?, &cookie))
}

/// What the page says of a refused registration or removal (here and on the sign-in's setup
/// step); a failure of ours is an error page.
pub(super) fn refusal(e: PasskeyError) -> Result<Msg, PageError> {
    match e {
        PasskeyError::Field(message) => Ok(message),
        PasskeyError::NotAModel(names) => Ok(Msg::new("passkey-not-a-model").with("names", names)),
        PasskeyError::Unavailable => Ok(NOT_OFFERED),
        PasskeyError::Internal(e) => Err(e.into()),
    }
}

async fn failed(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: &SessionRecord,
    e: PasskeyError,
) -> Result<Response, PageError> {
    let view = View::List { notice: None, error: Some(refusal(e)?) };
    render(accounts, site, headers, s, view, StatusCode::BAD_REQUEST).await
}
