//! The small account page reached by signing in without a pending authorization, sign-out
//! (L6), and the password change: forced (L4) here, at will in `own_password`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::language;
use crate::accounts::Accounts;
use crate::accounts::password_change::ChangeError;
use crate::accounts::session::{Required, SessionRecord};
use crate::domain::user::UserType;
use crate::http::page::{self, Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::Secret;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    /// Back from a password change at will.
    changed: Option<String>,
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<AccountQuery>,
) -> Result<Response, PageError> {
    let Some(s) = session::current(&accounts, &site, &headers).await? else {
        return Ok(see_other("/login", vec![]));
    };
    // F1: the account page waits for what is still required.
    if let Some(step) = s.next_required() {
        return Ok(see_other(step.path(), vec![]));
    }
    let Some((user, tenant)) = accounts.account(s.user_id, s.tenant_id).await? else {
        return Ok(see_other("/login", vec![session::clear(&site)]));
    };
    let lang = language::of_session(&accounts, &headers, &s).await?;
    let token = csrf::issue(&headers, &site);
    let page = Page::render(
        lang,
        StatusCode::OK,
        "account.html",
        context! {
            csrf => token.token,
            login_name => user.login_name.as_str(),
            provider_name => tenant.name,
            provider_code => tenant.provider_code.as_str(),
            // A3: provider admins see their type in the sign-out panel.
            show_user_type => user.user_type.is_admin(),
            user_type => lang.t(user_type(user.user_type)),
            notice => q.changed.is_some().then(|| lang.t("account-password-changed")),
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

/// A3: the type's name on the account page.
fn user_type(t: UserType) -> &'static str {
    match t {
        UserType::Regular => "account-user-type-regular",
        UserType::ProviderAdmin => "account-user-type-provider-admin",
        UserType::SuperAdmin => "account-user-type-super-admin",
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

/// L6: ends the Lanyard session only; applications keep their own sessions and are not told.
pub async fn sign_out(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    // The session is read first: the pages after it ended are still in the person's language.
    let current = session::current(&accounts, &site, &headers).await?;
    let lang = match &current {
        Some(s) => language::of_session(&accounts, &headers, s).await?,
        None => crate::http::language::of_browser(&headers),
    };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return Ok(page::message_in(
            lang,
            StatusCode::FORBIDDEN,
            &Msg::new("account-sign-out"),
            &Msg::new("account-sign-out-expired"),
        ));
    }
    if let (Some(s), Some(id)) = (current, session::cookie_value(&headers, &site)) {
        accounts.sign_out(&id, &s, origin).await?;
    }
    let clear = session::clear(&site);
    let page = Page::render(
        lang,
        StatusCode::OK,
        "message.html",
        context! {
            title => lang.t("logout-done-title"),
            message => lang.t("logout-done"),
            link => context! { href => "/login", text => lang.t("account-sign-in-again") },
        },
    )?;
    Ok(page.with_cookie(Some(clear)).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    csrf: Option<String>,
    auth: Option<String>,
    current_password: Secret,
    new_password: Secret,
    confirm_password: Secret,
}

/// L4's page: in the application's language while one waits (the `auth`), else the person's.
async fn forced_change_language(
    accounts: &Accounts,
    headers: &HeaderMap,
    auth: Option<&str>,
    s: &SessionRecord,
) -> Result<Lang, PageError> {
    match auth {
        Some(id) => {
            let interaction = accounts.interactions().get(id).await?;
            Ok(language::of_interaction(headers, interaction.as_ref()))
        }
        None => language::of_session(accounts, headers, s).await,
    }
}

/// The messages of one field, in `lang`, as the form shows them.
fn texts(lang: Lang, messages: &[Msg]) -> Vec<String> {
    messages.iter().map(|m| lang.text(m)).collect()
}

#[derive(Default)]
struct ForcedErrors {
    form: Vec<Msg>,
    new_password: Vec<Msg>,
    confirm_password: Vec<Msg>,
}

fn change_page(
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    auth: Option<&str>,
    status: StatusCode,
    errors: ForcedErrors,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let (form, new, confirm) =
        (texts(lang, &errors.form), texts(lang, &errors.new_password), texts(lang, &errors.confirm_password));
    let all: Vec<&String> = form.iter().chain(&new).chain(&confirm).collect();
    let page = Page::render(
        lang,
        status,
        "change_password.html",
        context! {
            csrf => token.token,
            auth => auth,
            ask_current => false,
            reason => lang.t("password-change-forced"),
            errors => all,
            field_errors => context! {
                new_password => new.join(" "),
                confirm_password => confirm.join(" "),
            },
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub async fn show_change(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<super::login::LoginQuery>,
) -> Result<Response, PageError> {
    match session::current(&accounts, &site, &headers).await? {
        None => Ok(see_other("/login", vec![])),
        Some(s) => match s.next_required() {
            None => {
                let lang = language::of_session(&accounts, &headers, &s).await?;
                super::own_password::show(&site, &headers, lang)
            }
            Some(Required::ChangePassword) => {
                let lang = forced_change_language(&accounts, &headers, q.auth.as_deref(), &s).await?;
                change_page(&site, &headers, lang, q.auth.as_deref(), StatusCode::OK, ForcedErrors::default())
            }
            Some(step) => Ok(see_other(step.path(), vec![])),
        },
    }
}

pub async fn submit_change(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ChangeForm>,
) -> Result<Response, PageError> {
    let Some(mut s) = session::current(&accounts, &site, &headers).await? else {
        return Ok(see_other("/login", vec![]));
    };
    if let Some(step) = s.next_required().filter(|r| *r != Required::ChangePassword) {
        return Ok(see_other(step.path(), vec![]));
    }
    if !s.must_change_password {
        let form = super::own_password::OwnChangeForm {
            csrf: form.csrf,
            current_password: form.current_password,
            new_password: form.new_password,
            confirm_password: form.confirm_password,
        };
        return super::own_password::submit(&accounts, &site, &headers, s, origin, form).await;
    }
    let lang = forced_change_language(&accounts, &headers, form.auth.as_deref(), &s).await?;
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let expired = ForcedErrors { form: vec![Msg::new("account-form-expired")], ..ForcedErrors::default() };
        return change_page(&site, &headers, lang, form.auth.as_deref(), StatusCode::FORBIDDEN, expired);
    }
    match accounts.change_password(s.user_id, &form.new_password, &form.confirm_password, origin).await {
        Ok(()) => {
            s.must_change_password = false;
            session::update(&accounts, &site, &headers, &s).await?;
            Ok(see_other(&super::login::next_step(&s, form.auth.as_deref()), vec![]))
        }
        Err(ChangeError::Refused { new_password, confirm_password }) => {
            let errors = ForcedErrors { form: vec![], new_password, confirm_password };
            change_page(&site, &headers, lang, form.auth.as_deref(), StatusCode::OK, errors)
        }
        Err(ChangeError::NotAllowed) => {
            // The account may no longer change its password here: this session is over.
            if let Some(id) = session::cookie_value(&headers, &site) {
                accounts.end_session(&id, &s, None).await?;
            }
            Ok(see_other("/login", vec![session::clear(&site)]))
        }
        Err(ChangeError::Internal(e)) => Err(e.into()),
    }
}
