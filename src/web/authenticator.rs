//! F2, F3: Settings → Authenticator app. The person starts an enrolment (a new secret shown as a
//! QR code drawn here as SVG — no external service, no script — and as text), confirms it with
//! the app's code (and a mailed one, when they have a verified address), and sees their
//! recovery codes once; later they can make new codes, which void the old.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::factors::{FactorError, MAX_CODE_CHARS, Proposal};
use crate::accounts::session::SessionRecord;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, RequestOrigin, Site, csrf, session};

/// What the person's app shows as the account's issuer.
const ISSUER: &str = "Lanyard";

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AppForm {
    csrf: Option<String>,
    step: String,
    code: String,
    mailed_code: String,
}

/// The QR code of the provisioning URI, as an inline SVG element.
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    // The renderer writes a standalone document; inline in HTML only the element belongs.
    svg.find("<svg").and_then(|at| svg.get(at..)).map(str::to_string)
}

enum View<'a> {
    Status { notice: Option<&'a str> },
    Proposal { proposal: &'a Proposal, error: Option<&'a str> },
    Codes { codes: &'a [String] },
}

async fn render(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: &SessionRecord,
    view: View<'_>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let enrolled = accounts.factors().enrolled(s.user_id).await?;
    let token = csrf::issue(headers, site);
    let ctx = match view {
        View::Status { notice } => context! { csrf => token.token, enrolled, notice, max => MAX_CODE_CHARS },
        View::Proposal { proposal, error } => context! {
            csrf => token.token,
            enrolled,
            proposal => context! { secret => proposal.secret, mailed => proposal.mailed, qr => qr_svg(&proposal.uri) },
            error,
            max => MAX_CODE_CHARS,
        },
        View::Codes { codes } => {
            // The codes are letters, digits and dashes: only the line breaks need escaping.
            let codes_href = format!("data:text/plain;charset=utf-8,{}%0A", codes.join("%0A"));
            context! { csrf => token.token, enrolled, codes, codes_href }
        }
    };
    let page = Page::render(status, "authenticator.html", ctx)?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

async fn signed_in(accounts: &Accounts, site: &Site, headers: &HeaderMap) -> Result<Option<SessionRecord>, PageError> {
    Ok(session::current(accounts, site, headers).await?.filter(SessionRecord::complete))
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match signed_in(&accounts, &site, &headers).await? {
        Some(s) => render(&accounts, &site, &headers, &s, View::Status { notice: None }, StatusCode::OK).await,
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
    let Some(s) = signed_in(&accounts, &site, &headers).await? else { return Ok(see_other("/login", vec![])) };
    let again = |notice| View::Status { notice };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let view = again(Some("This form expired. Please try again."));
        return render(&accounts, &site, &headers, &s, view, StatusCode::FORBIDDEN).await;
    }
    let Some((user, tenant)) = accounts.account(s.user_id, s.tenant_id).await? else {
        return Ok(see_other("/login", vec![session::clear(&site)]));
    };
    let factors = accounts.factors();
    match form.step.as_str() {
        "start" => {
            let proposal = factors.propose_app(&s.sid, &user, &tenant, ISSUER).await.map_err(internal)?;
            let view = View::Proposal { proposal: &proposal, error: None };
            render(&accounts, &site, &headers, &s, view, StatusCode::OK).await
        }
        "confirm" => match factors.confirm_app(&s.sid, &user, &tenant, &form.code, &form.mailed_code, &origin).await {
            Ok(codes) => render(&accounts, &site, &headers, &s, View::Codes { codes: &codes }, StatusCode::OK).await,
            Err(FactorError::Field(message)) => {
                // The same secret stays on the page: the person's app already holds it.
                match factors.current_proposal(&s.sid, &user, &tenant, ISSUER).await.map_err(internal)? {
                    Some(proposal) => {
                        let view = View::Proposal { proposal: &proposal, error: Some(message) };
                        render(&accounts, &site, &headers, &s, view, StatusCode::BAD_REQUEST).await
                    }
                    None => render(&accounts, &site, &headers, &s, again(Some(message)), StatusCode::BAD_REQUEST).await,
                }
            }
            Err(FactorError::NotAllowed) => {
                let view = again(Some("That setup expired. Start again."));
                render(&accounts, &site, &headers, &s, view, StatusCode::BAD_REQUEST).await
            }
            Err(FactorError::Internal(e)) => Err(e.into()),
        },
        "codes" => match factors.regenerate_codes(&user, &tenant, &origin).await {
            Ok(codes) => render(&accounts, &site, &headers, &s, View::Codes { codes: &codes }, StatusCode::OK).await,
            Err(FactorError::Internal(e)) => Err(e.into()),
            Err(_) => render(&accounts, &site, &headers, &s, again(None), StatusCode::BAD_REQUEST).await,
        },
        _ => render(&accounts, &site, &headers, &s, again(None), StatusCode::BAD_REQUEST).await,
    }
}

fn internal(e: FactorError) -> PageError {
    match e {
        FactorError::Internal(e) => e.into(),
        other => crate::accounts::Internal::Task(other.to_string()).into(),
    }
}
