//! The console's start page (the providers a platform operator sees; a provider's own
//! administrator goes straight to its users) and a provider's settings: password policy, L3's
//! threshold, S1's switch, and U1's, which only a platform operator may change.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Console;
use super::api::ApiError;
use super::session::{Admin, Flash};
use super::view::{self, back, expired, page, refused, seg};
use crate::domain::listing::Listing;
use crate::domain::policy::PolicyMode;
use crate::domain::second_factor::KeyModel;
use crate::domain::tenant::Tenant;
use crate::http::page::see_other;
use crate::http::{PageForm, PageQuery, csrf};

/// The providers list's search and position, as its links and form carry them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Search {
    q: String,
    cursor: String,
}

impl Search {
    /// The search at another cursor (none: the first page), blank fields left out.
    fn query(&self, cursor: Option<&str>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [("q", self.q.as_str()), ("cursor", cursor.unwrap_or_default())] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.finish()
    }

    fn at(&self, cursor: Option<&str>) -> String {
        let query = self.query(cursor);
        if query.is_empty() { "/admin".into() } else { format!("/admin?{query}") }
    }
}

/// How many providers a page of the console's list shows.
const PAGE: u64 = 50;

pub async fn home(State(console): State<Console>, admin: Admin, PageQuery(search): PageQuery<Search>) -> Response {
    if let (false, Some(code)) = (admin.signed.role == "platform_operator", &admin.signed.provider) {
        return see_other(&format!("/admin/providers/{}/users", seg(code)), vec![]);
    }
    let s = &admin.signed;
    let mut api = format!("/providers?limit={PAGE}");
    let asked = search.query(Some(&search.cursor));
    if !asked.is_empty() {
        api = format!("{api}&{asked}");
    }
    match console.api.call::<Listing<Tenant>>(&s.token, &admin.caller, Method::GET, &api, None).await {
        Ok(listing) => {
            let next = listing.next_cursor.as_deref().map(|c| search.at(Some(c)));
            let previous = listing.previous_cursor.as_deref().map(|c| search.at(Some(c)));
            let first = (!search.cursor.is_empty()).then(|| search.at(None));
            let ctx = context! { providers => listing.entries, q => search.q, next, previous, first };
            page(&console, &admin, StatusCode::OK, "console/providers.html", ctx)
        }
        Err(e) => refused(&console, &admin, e, "/admin"),
    }
}

async fn provider(console: &Console, admin: &Admin, code: &str) -> Result<Tenant, ApiError> {
    console.api.call(&admin.signed.token, &admin.caller, Method::GET, &format!("/providers/{}", seg(code)), None).await
}

/// F11: the security-key models the provider lists for its administrators (none when the API
/// answers otherwise: the page still shows the settings).
async fn key_models(console: &Console, admin: &Admin, code: &str) -> Vec<KeyModel> {
    let path = format!("/providers/{}/key-models", seg(code));
    console.api.call(&admin.signed.token, &admin.caller, Method::GET, &path, None).await.unwrap_or_default()
}

fn settings_path(code: &str) -> String {
    format!("/admin/providers/{}/settings", seg(code))
}

pub async fn settings(State(console): State<Console>, admin: Admin, Path(code): Path<String>) -> Response {
    // The API refuses a user administrator's changes; the console does not offer the page.
    if admin.signed.role == "user_administrator" {
        let message = "A user administrator manages users, not the provider's settings.";
        return page(
            &console,
            &admin,
            StatusCode::FORBIDDEN,
            "console/message.html",
            context! { title => "Not allowed", message },
        );
    }
    match provider(&console, &admin, &code).await {
        Ok(p) => {
            let models = key_models(&console, &admin, &code).await;
            render(&console, &admin, StatusCode::OK, &p, &models, None, Map::new())
        }
        Err(e) => refused(&console, &admin, e, &settings_path(&code)),
    }
}

fn render(
    console: &Console,
    admin: &Admin,
    status: StatusCode,
    provider: &Tenant,
    models: &[KeyModel],
    typed: Option<&SettingsForm>,
    errors: Map<String, Value>,
) -> Response {
    let policy = &provider.password_policy;
    let values = match typed {
        Some(f) => context! {
            max_failed_attempts => f.max_failed_attempts,
            min_password_length => f.min_password_length,
            password_history => f.password_history,
            nist_mode => f.nist_mode.is_some(),
            self_reset_enabled => f.self_reset_enabled.is_some(),
            unified_login_enabled => f.unified_login_enabled.is_some(),
            help_contact => f.help_contact,
            mfa_policy => f.mfa_policy,
            passkey_sign_in => f.passkey_sign_in.is_some(),
            default_language => f.default_language,
        },
        None => context! {
            max_failed_attempts => policy.max_failed_attempts,
            min_password_length => policy.min_length,
            password_history => policy.history,
            nist_mode => policy.mode == PolicyMode::Nist,
            self_reset_enabled => provider.self_reset_enabled,
            unified_login_enabled => provider.unified_login_enabled,
            help_contact => provider.help_contact,
            mfa_policy => provider.mfa_policy.as_str(),
            passkey_sign_in => provider.passkey_sign_in,
            default_language => provider.default_language,
        },
    };
    page(console, admin, status, "console/settings.html", context! { provider, values, errors, models })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    csrf: Option<String>,
    max_failed_attempts: String,
    min_password_length: String,
    password_history: String,
    nist_mode: Option<String>,
    self_reset_enabled: Option<String>,
    unified_login_enabled: Option<String>,
    help_contact: String,
    mfa_policy: String,
    passkey_sign_in: Option<String>,
    default_language: String,
}

pub async fn save_settings(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageForm(form): PageForm<SettingsForm>,
) -> Response {
    let here = settings_path(&code);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let current = match provider(&console, &admin, &code).await {
        Ok(p) => p,
        Err(e) => return refused(&console, &admin, e, &here),
    };
    let mut errors = Map::new();
    let mut number = |name: &str, raw: &str| match raw.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(name.into(), json!("Enter a whole number."));
            None
        }
    };
    let max_failed = number("max_failed_attempts", &form.max_failed_attempts);
    let min_length = number("min_password_length", &form.min_password_length);
    let history = number("password_history", &form.password_history);
    if !errors.is_empty() {
        let models = key_models(&console, &admin, &code).await;
        return render(&console, &admin, StatusCode::BAD_REQUEST, &current, &models, Some(&form), errors);
    }
    let mut changes = json!({
        "max_failed_attempts": max_failed,
        "min_password_length": min_length,
        "password_history": history,
        "nist_mode": form.nist_mode.is_some(),
        "self_reset_enabled": form.self_reset_enabled.is_some(),
        "help_contact": form.help_contact,
        "mfa_policy": form.mfa_policy,
        "passkey_sign_in": form.passkey_sign_in.is_some(),
    });
    if let (false, Some(map)) = (form.default_language.is_empty(), changes.as_object_mut()) {
        map.insert("default_language".into(), json!(form.default_language));
    }
    if let (true, Some(map)) = (admin.signed.role == "platform_operator", changes.as_object_mut()) {
        map.insert("unified_login_enabled".into(), json!(form.unified_login_enabled.is_some()));
    }
    let path = format!("/providers/{}", seg(&code));
    match console.api.call::<Tenant>(&admin.signed.token, &admin.caller, Method::PATCH, &path, Some(changes)).await {
        Ok(_) => back(&console, &here, Flash::notice("Settings saved.")),
        Err(ApiError::Refused { status: StatusCode::BAD_REQUEST, detail, errors }) => {
            let mut shown: Map<String, Value> = errors.into_iter().map(|(k, v)| (k, json!(v))).collect();
            if shown.is_empty() {
                shown.insert("form".into(), json!(detail));
            }
            let models = key_models(&console, &admin, &code).await;
            render(&console, &admin, StatusCode::BAD_REQUEST, &current, &models, Some(&form), shown)
        }
        Err(e) => view::refused_action(&console, &admin, e, &here),
    }
}
