//! G1 for the people's pages: which language a page is in, and the switcher that remembers a
//! person's pick (`GET /language?set=es`).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::interaction::Interaction;
use crate::accounts::session::SessionRecord;
use crate::domain::tenant::Tenant;
use crate::http::page::{PageError, see_other};
use crate::http::{PageQuery, Site, cookies, language, session};
use crate::i18n::Lang;
use crate::secret::is_random_token;

/// A pick is remembered for a year.
const REMEMBERED: i64 = 365 * 24 * 3600;

/// A page of an interaction: the language the application asked for, else the browser's.
pub fn of_interaction(headers: &HeaderMap, interaction: Option<&Interaction>) -> Lang {
    let asked = interaction.and_then(|i| i.ui_locale.as_deref()).and_then(Lang::from_tag);
    language::preference(headers).choose(asked, None)
}

/// The language a person reads Lanyard in once signed in (their provider now known):
/// remembered for the mails no page of theirs causes.
pub fn of_signed_in(headers: &HeaderMap, interaction: Option<&Interaction>, tenant: &Tenant) -> Lang {
    let asked = interaction.and_then(|i| i.ui_locale.as_deref()).and_then(Lang::from_tag);
    let provider = Lang::from_tag(&tenant.default_language).filter(|l| !l.is_pseudo());
    language::preference(headers).choose(asked, provider)
}

/// A page of a signed-in person: the interaction's language, the person's pick, the browser's,
/// then their provider's default.
pub async fn of_session(accounts: &Accounts, headers: &HeaderMap, record: &SessionRecord) -> Result<Lang, PageError> {
    let provider = accounts.languages().of_provider(record.tenant_id).await?;
    Ok(language::preference(headers).choose(None, provider))
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    set: String,
    auth: Option<String>,
}

/// Remembers the pick (for a signed-in person, also for their mails) and goes back to the page
/// it was made on (the `Referer`, same origin only), keeping the interaction.
pub async fn switch(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<SwitchQuery>,
) -> Result<Response, PageError> {
    let mut cookies_out = Vec::new();
    if let Some(lang) = Lang::from_tag(&q.set) {
        let name = cookies::name(language::COOKIE, site.secure_cookies);
        cookies_out.push(cookies::set(&name, lang.tag(), site.secure_cookies, Some(REMEMBERED)));
        if let Some(record) = session::current(&accounts, &site, &headers).await?
            && let Some(user) = accounts.user_by_id(record.user_id).await?
        {
            accounts.languages().remember(&user, lang).await?;
        }
    }
    let auth = q.auth.filter(|a| is_random_token(a));
    Ok(see_other(&back(&site, &headers, auth.as_deref()), cookies_out))
}

/// A path on this site to return to: never another origin, never a protocol-relative `//`.
fn back(site: &Site, headers: &HeaderMap, auth: Option<&str>) -> String {
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(|r| url::Url::parse(r).ok());
    let same_site = referer.filter(|r| r.origin().ascii_serialization() == site.origin);
    let mut path = match same_site {
        Some(r) if !r.path().starts_with("/language") => match r.query() {
            Some(q) => format!("{}?{q}", r.path()),
            None => r.path().to_string(),
        },
        _ if auth.is_some() => "/login".to_string(),
        _ => "/account".to_string(),
    };
    if let Some(a) = auth
        && !path.contains("auth=")
    {
        path.push(if path.contains('?') { '&' } else { '?' });
        path.push_str(&format!("auth={a}"));
    }
    path
}
