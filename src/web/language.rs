//! G1 for the people's pages: which language a page is in, and the switcher that remembers a
//! person's pick (`GET /language?set=es`).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::interaction::Interaction;
use crate::accounts::session::SessionRecord;
use crate::domain::user::User;
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

/// The waiting request a page names (`auth`), if any, and the language of that page.
pub async fn of_auth(
    accounts: &Accounts,
    headers: &HeaderMap,
    auth: Option<&str>,
) -> Result<(Option<Interaction>, Lang), PageError> {
    let interaction = match auth {
        Some(id) => accounts.interactions().get(id).await?,
        None => None,
    };
    let lang = of_interaction(headers, interaction.as_ref());
    Ok((interaction, lang))
}

/// The language a sign-in was made in, where something said one (the application, the person's
/// pick, the browser): remembered for the mails no page of theirs causes. A default is not a
/// choice: the provider's stays the provider's, and follows it when it changes.
pub fn spoken_at_sign_in(headers: &HeaderMap, interaction: Option<&Interaction>) -> Option<Lang> {
    let asked = interaction.and_then(|i| i.ui_locale.as_deref()).and_then(Lang::from_tag);
    asked.or_else(|| language::spoken(headers))
}

/// Remembers it, best effort: a sign-in that worked is not failed by its language.
pub async fn remember_sign_in(accounts: &Accounts, user: &User, spoken: Option<Lang>) {
    if let Some(lang) = spoken
        && let Err(e) = accounts.languages().remember(user, lang).await
    {
        tracing::warn!(error = %e, "the language of a sign-in was not remembered");
    }
}

/// A page of a signed-in person: the person's pick, the browser's, then their provider's
/// default.
pub async fn of_session(accounts: &Accounts, headers: &HeaderMap, record: &SessionRecord) -> Result<Lang, PageError> {
    let provider = accounts.languages().of_provider(record.tenant_id).await?;
    Ok(language::preference(headers).choose(None, provider))
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    set: String,
    /// The interaction of the page the pick was made on.
    auth: Option<String>,
    /// A mailed link's token of the page (registration, A2, P3), when its URL lost it.
    token: Option<String>,
}

/// The pages a pick returns to: the people's GET pages, each safe to load again. Anything else —
/// the answer to a POST, a page shown once, another site — returns to the sign-in or the account.
const RETURNABLE: &[&str] = &[
    "/login",
    "/login/help",
    "/help",
    "/account",
    "/settings",
    "/settings/authenticator",
    "/settings/passkeys",
    "/password/change",
    "/password/forgot",
    "/password/link",
    "/invitation",
    "/recover",
    "/status",
    "/sign-in/second-factor",
    "/sign-in/second-factor/setup",
    "/sign-in/passkey/setup",
];

/// Remembers the pick and goes back to the page it was made on. A pick on a page of an
/// interaction wins over the application's `ui_locales` for the rest of it; a signed-in person's
/// pick, made on one of our pages, is also kept for their mails.
pub async fn switch(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<SwitchQuery>,
) -> Response {
    let auth = q.auth.filter(|a| is_random_token(a));
    let token =
        q.token.filter(|t| t.len() <= 200 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    let mut cookies_out = Vec::new();
    if let Some(lang) = Lang::from_tag(&q.set) {
        let name = cookies::name(language::COOKIE, site.secure_cookies);
        cookies_out.push(cookies::set(&name, lang.tag(), site.secure_cookies, Some(REMEMBERED)));
        // The cookie is the pick; what follows only carries it further, and never fails it.
        if let Err(e) = carry(&accounts, &site, &headers, auth.as_deref(), lang).await {
            tracing::warn!(error = %e, "a language pick was not carried to the interaction or the account");
        }
    }
    see_other(&back(&site, &headers, auth.as_deref(), token.as_deref()), cookies_out)
}

/// The pick, for the interaction it was made in and for a complete session's person — only
/// when made on one of our own pages: another site's link may set a cookie, never an account.
async fn carry(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    auth: Option<&str>,
    lang: Lang,
) -> Result<(), PageError> {
    if referer(site, headers).is_none() {
        return Ok(());
    }
    if let Some(id) = auth {
        accounts.interactions().pick_language(id, lang.tag()).await?;
    }
    if let Some(record) = session::current(accounts, site, headers).await?.filter(SessionRecord::complete)
        && let Some(user) = accounts.user_by_id(record.user_id).await?
    {
        accounts.languages().remember(&user, lang).await?;
    }
    Ok(())
}

/// The `Referer`, when it is one of this site's pages.
fn referer(site: &Site, headers: &HeaderMap) -> Option<url::Url> {
    let r = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(|r| url::Url::parse(r).ok())?;
    (r.origin().ascii_serialization() == site.origin).then_some(r)
}

/// A path of [`RETURNABLE`] with at most the interaction and a link's token: never another
/// origin, never a path a browser could read as one (`//`, `\`).
fn back(site: &Site, headers: &HeaderMap, auth: Option<&str>, token: Option<&str>) -> String {
    let from = referer(site, headers).filter(|r| RETURNABLE.contains(&r.path()));
    let kept =
        |name: &str| from.as_ref().and_then(|r| r.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()));
    let auth = auth.map(String::from).or_else(|| kept("auth")).filter(|a| is_random_token(a));
    let token = token.map(String::from).or_else(|| kept("token"));
    let path = match &from {
        Some(r) => r.path(),
        None if auth.is_some() => "/login",
        None => "/account",
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(a) = &auth {
        query.append_pair("auth", a);
    }
    if let Some(t) = token.filter(|_| from.is_some()) {
        query.append_pair("token", &t);
    }
    let query = query.finish();
    if query.is_empty() { path.to_string() } else { format!("{path}?{query}") }
}
