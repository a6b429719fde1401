//! F2, F3: Settings → Authenticator app. The person starts an enrolment (a new secret shown as a
//! QR code drawn here as SVG — no external service, no script — and as text), confirms it with
//! the app's code (and a mailed one, when they have a verified address), and sees their
//! recovery codes once; later they can make new codes, which void the old. The same enrolment
//! is a step of a sign-in when a second factor is required and none is set up (F4, F1).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::app_enrolment::{Enrolled, Proposal};
use crate::accounts::factors::{FactorError, MAX_CODE_CHARS};
use crate::accounts::session::SessionRecord;
use crate::domain::activity::Origin;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::is_random_token;

use super::language;
use super::login::{LoginQuery, next_step};

/// What the person's app shows as the account's issuer.
const ISSUER: &str = "Lanyard";

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AppForm {
    csrf: Option<String>,
    step: String,
    code: String,
    mailed_code: String,
    auth: Option<String>,
}

const SETUP: &str = "/sign-in/second-factor/setup";

/// The QR code of the provisioning URI, as an inline SVG element.
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    // The renderer writes a standalone document; inline in HTML only the element belongs.
    svg.find("<svg").and_then(|at| svg.get(at..)).map(str::to_string)
}

/// Where the enrolment happens: Settings, or a sign-in that requires it (F4).
#[derive(Clone, Copy)]
enum Place<'a> {
    Settings,
    SignIn { auth: Option<&'a str> },
}

enum View<'a> {
    Status {
        notice: Option<Msg>,
    },
    Proposal {
        proposal: &'a Proposal,
        error: Option<Msg>,
    },
    Codes {
        codes: &'a [String],
    },
    /// F2: a removal waiting for its confirmation (with the mailed code, when one went).
    Removal {
        mailed: bool,
        error: Option<Msg>,
    },
}

/// The page's language: a signed-in person's in Settings, the interaction's on a sign-in step
/// (never the account's there, L2).
async fn language_of(
    accounts: &Accounts,
    headers: &HeaderMap,
    s: &SessionRecord,
    place: Place<'_>,
) -> Result<Lang, PageError> {
    match place {
        Place::Settings => language::of_session(accounts, headers, s).await,
        Place::SignIn { auth } => {
            let interaction = match auth.filter(|a| is_random_token(a)) {
                Some(id) => accounts.interactions().get(id).await?,
                None => None,
            };
            Ok(language::of_interaction(headers, interaction.as_ref()))
        }
    }
}

async fn render(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: &SessionRecord,
    view: View<'_>,
    status: StatusCode,
    place: Place<'_>,
) -> Result<Response, PageError> {
    let enrolled = accounts.factors().enrolled(s.user_id).await?;
    let (offered, removable) = match accounts.account(s.user_id, s.tenant_id).await? {
        Some((user, tenant)) => (accounts.factors().offered(&tenant), accounts.factors().may_remove(&user, &tenant)),
        None => (false, false),
    };
    let lang = language_of(accounts, headers, s, place).await?;
    let text = |m: Option<Msg>| m.map(|m| lang.text(&m));
    let token = csrf::issue(headers, site);
    let (setup, action, auth, done) = match place {
        Place::Settings => (false, None, None, None),
        Place::SignIn { auth } => {
            let auth = auth.filter(|a| is_random_token(a));
            (true, Some(SETUP), auth, Some(next_step(s, auth)))
        }
    };
    let ctx = match view {
        View::Status { notice } => {
            context! { csrf => token.token, enrolled, offered, removable, notice => text(notice), max => MAX_CODE_CHARS }
        }
        View::Proposal { proposal, error } => context! {
            csrf => token.token,
            enrolled,
            proposal => context! { secret => proposal.secret, mailed => proposal.mailed, qr => qr_svg(&proposal.uri) },
            error => text(error),
            setup,
            action,
            auth,
            max => MAX_CODE_CHARS,
        },
        View::Codes { codes } => {
            // The codes are letters, digits and dashes: only the line breaks need escaping.
            let codes_href = format!("data:text/plain;charset=utf-8,{}%0A", codes.join("%0A"));
            context! { csrf => token.token, enrolled, codes, codes_href, done }
        }
        View::Removal { mailed, error } => {
            let error = text(error);
            context! { csrf => token.token, enrolled, removal => context! { mailed }, error, max => MAX_CODE_CHARS }
        }
    };
    let page = Page::render(lang, status, "authenticator.html", ctx)?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match session::complete(&accounts, &site, &headers).await? {
        Some(s) => {
            render(&accounts, &site, &headers, &s, View::Status { notice: None }, StatusCode::OK, Place::Settings).await
        }
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<AppForm>,
) -> Result<Response, PageError> {
    let Some(s) = session::complete(&accounts, &site, &headers).await? else { return Ok(see_other("/login", vec![])) };
    step(&accounts, &site, &headers, s, &origin, form, Place::Settings).await
}

/// F4: the sign-in's own enrolment page, for a session that must set up a second factor.
pub async fn show_setup(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Result<Response, PageError> {
    let Some(s) = super::setup_step::setting_up(&accounts, &site, &headers, q.auth.as_deref()).await? else {
        return Ok(see_other("/login", vec![]));
    };
    if accounts.factors().owes_key(&s).await? {
        return Ok(see_other(&super::setup_step::key_setup_path(q.auth.as_deref()), vec![]));
    }
    let form = AppForm { step: "start".into(), ..AppForm::default() };
    let place = Place::SignIn { auth: q.auth.as_deref() };
    step(&accounts, &site, &headers, s, &origin, form, place).await
}

pub async fn submit_setup(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<AppForm>,
) -> Result<Response, PageError> {
    let Some(s) = super::setup_step::setting_up(&accounts, &site, &headers, form.auth.as_deref()).await? else {
        return Ok(see_other("/login", vec![]));
    };
    // F9: where the policy wants a key, an app does not settle the step.
    if accounts.factors().owes_key(&s).await? {
        return Ok(see_other(&super::setup_step::key_setup_path(form.auth.as_deref()), vec![]));
    }
    let auth = form.auth.clone();
    if form.step != "confirm" {
        return Ok(see_other(SETUP, vec![]));
    }
    step(&accounts, &site, &headers, s, &origin, form, Place::SignIn { auth: auth.as_deref() }).await
}

async fn step(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    mut s: SessionRecord,
    origin: &Origin,
    form: AppForm,
    place: Place<'_>,
) -> Result<Response, PageError> {
    let again = |notice| View::Status { notice };
    let is_get = matches!(place, Place::SignIn { .. }) && form.step == "start";
    if !is_get && !csrf::verify(headers, site, form.csrf.as_deref()) {
        let view = again(Some(Msg::new("factor-form-expired")));
        return render(accounts, site, headers, &s, view, StatusCode::FORBIDDEN, place).await;
    }
    let Some((user, tenant)) = accounts.account(s.user_id, s.tenant_id).await? else {
        return Ok(see_other("/login", vec![session::clear(site)]));
    };
    let factors = accounts.factors();
    // F4: a provider without second factors offers no new one in Settings (a sign-in an
    // application requires one for still sets one up); an app already set up stays the
    // person's to keep or remove.
    if matches!(place, Place::Settings)
        && ["start", "confirm"].contains(&form.step.as_str())
        && !factors.offered(&tenant)
    {
        return render(accounts, site, headers, &s, again(None), StatusCode::BAD_REQUEST, place).await;
    }
    if !factors.may_change(&s).await? {
        let view = again(Some(Msg::new("authenticator-prove-first")));
        return render(accounts, site, headers, &s, view, StatusCode::FORBIDDEN, place).await;
    }
    match form.step.as_str() {
        "start" => {
            // A setup page reloaded keeps the secret the person's app may already hold.
            let current = match place {
                Place::SignIn { .. } => {
                    factors.current_proposal(&s.sid, &user, &tenant, ISSUER).await.map_err(internal)?
                }
                Place::Settings => None,
            };
            let proposal = match current {
                Some(p) => p,
                None => match factors.propose_app(&s.sid, &user, &tenant, ISSUER).await {
                    Ok(p) => p,
                    Err(FactorError::Field(message)) => {
                        let view = again(Some(message));
                        return render(accounts, site, headers, &s, view, StatusCode::TOO_MANY_REQUESTS, place).await;
                    }
                    Err(e) => return Err(internal(e)),
                },
            };
            let view = View::Proposal { proposal: &proposal, error: None };
            render(accounts, site, headers, &s, view, StatusCode::OK, place).await
        }
        "confirm" => match factors.confirm_app(&s.sid, &user, &tenant, &form.code, &form.mailed_code, origin).await {
            Ok(Enrolled { codes, sessions_ended: None }) => {
                factors.enrolled_in(&mut s);
                session::update(accounts, site, headers, &s).await?;
                render(accounts, site, headers, &s, View::Codes { codes: &codes }, StatusCode::OK, place).await
            }
            Ok(Enrolled { codes, sessions_ended: Some(epoch) }) => {
                // A replacement ended every session: this browser goes on in a new one.
                let mut next = accounts.session_after_change(&s, epoch);
                factors.enrolled_in(&mut next);
                let cookie = session::start(accounts, site, headers, &next, origin).await?;
                let page = render(accounts, site, headers, &next, View::Codes { codes: &codes }, StatusCode::OK, place);
                Ok(session::with_cookie(page.await?, &cookie))
            }
            Err(FactorError::Field(message)) => {
                // The same secret stays on the page: the person's app already holds it.
                match factors.current_proposal(&s.sid, &user, &tenant, ISSUER).await.map_err(internal)? {
                    Some(proposal) => {
                        let view = View::Proposal { proposal: &proposal, error: Some(message) };
                        render(accounts, site, headers, &s, view, StatusCode::BAD_REQUEST, place).await
                    }
                    None => {
                        render(accounts, site, headers, &s, again(Some(message)), StatusCode::BAD_REQUEST, place).await
                    }
                }
            }
            Err(FactorError::NotAllowed) => {
                let view = again(Some(Msg::new("authenticator-setup-expired")));
                render(accounts, site, headers, &s, view, StatusCode::BAD_REQUEST, place).await
            }
            Err(FactorError::Internal(e)) => Err(e.into()),
        },
        "codes" if matches!(place, Place::Settings) => match factors.regenerate_codes(&user, &tenant, origin).await {
            Ok(codes) => {
                render(accounts, site, headers, &s, View::Codes { codes: &codes }, StatusCode::OK, place).await
            }
            Err(FactorError::Internal(e)) => Err(e.into()),
            Err(_) => render(accounts, site, headers, &s, again(None), StatusCode::BAD_REQUEST, place).await,
        },
        "remove" if matches!(place, Place::Settings) => match factors.propose_removal(&s.sid, &user, &tenant).await {
            Ok(mailed) => {
                render(accounts, site, headers, &s, View::Removal { mailed, error: None }, StatusCode::OK, place).await
            }
            Err(FactorError::Field(message)) => {
                render(accounts, site, headers, &s, again(Some(message)), StatusCode::BAD_REQUEST, place).await
            }
            Err(FactorError::NotAllowed) => {
                render(accounts, site, headers, &s, again(None), StatusCode::BAD_REQUEST, place).await
            }
            Err(FactorError::Internal(e)) => Err(e.into()),
        },
        "remove_confirm" if matches!(place, Place::Settings) => {
            match factors.confirm_removal(&s.sid, &user, &tenant, &form.mailed_code, origin).await {
                Ok(epoch) => {
                    let next = accounts.session_after_change(&s, epoch);
                    let cookie = session::start(accounts, site, headers, &next, origin).await?;
                    let view = again(Some(Msg::new("authenticator-removed")));
                    Ok(session::with_cookie(
                        render(accounts, site, headers, &next, view, StatusCode::OK, place).await?,
                        &cookie,
                    ))
                }
                Err(FactorError::Field(message)) => {
                    let view = match factors.pending_removal(&s.sid, &user).await.map_err(internal)? {
                        Some(mailed) => View::Removal { mailed, error: Some(message) },
                        None => again(Some(message)),
                    };
                    render(accounts, site, headers, &s, view, StatusCode::BAD_REQUEST, place).await
                }
                Err(FactorError::NotAllowed) => {
                    let view = again(Some(Msg::new("authenticator-removal-expired")));
                    render(accounts, site, headers, &s, view, StatusCode::BAD_REQUEST, place).await
                }
                Err(FactorError::Internal(e)) => Err(e.into()),
            }
        }
        _ => render(accounts, site, headers, &s, again(None), StatusCode::BAD_REQUEST, place).await,
    }
}

fn internal(e: FactorError) -> PageError {
    match e {
        FactorError::Internal(e) => e.into(),
        other => crate::accounts::Internal::Task(other.to_string()).into(),
    }
}
