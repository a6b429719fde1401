//! A provider's users: the list (search, type, status, last sign-in, S1's switch), a user's
//! page (A1's actions, T4 per application, their sessions and activity), creating a user, and a
//! temporary password shown once.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Value, json};

use super::Console;
use super::api::ApiError;
use super::session::{Admin, Flash};
use super::view::{back, confirm, expired, page, refused, refused_action, seg};
use crate::accounts::admin::{Page, WithPassword};
use crate::accounts::session::LiveSession;
use crate::domain::application::ApplicationAccess;
use crate::domain::listing::Listing;
use crate::domain::second_factor::SecondFactors;
use crate::domain::tenant::Tenant;
use crate::domain::user::User;
use crate::http::{PageForm, PageQuery, csrf};

fn list_path(code: &str) -> String {
    format!("/admin/providers/{}/users", seg(code))
}

pub(super) fn user_path(code: &str, login: &str) -> String {
    format!("/admin/providers/{}/users/{}", seg(code), seg(login))
}

pub(super) fn api_user(code: &str, login: &str) -> String {
    format!("/providers/{}/users/{}", seg(code), seg(login))
}

async fn get<T: DeserializeOwned>(console: &Console, admin: &Admin, path: &str) -> Result<T, ApiError> {
    console.api.call(&admin.signed.token, &admin.caller, Method::GET, path, None).await
}

async fn send<T: DeserializeOwned>(
    console: &Console,
    admin: &Admin,
    method: Method,
    path: &str,
    body: Value,
) -> Result<T, ApiError> {
    console.api.call(&admin.signed.token, &admin.caller, method, path, Some(body)).await
}

/// The list's search, filters and position, as the page's links and form carry them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Search {
    q: String,
    status: String,
    user_type: String,
    second_factor: String,
    cursor: String,
}

impl Search {
    /// The API's query for one page (never more: issue 31); blank fields are left out.
    fn api_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", &PAGE.to_string());
        for (name, value) in self.fields() {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.finish()
    }

    fn fields(&self) -> [(&'static str, &str); 5] {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("user_type", &self.user_type),
            ("second_factor", &self.second_factor),
            ("cursor", &self.cursor),
        ]
    }

    /// The search and filters, at another cursor.
    fn query(&self, cursor: Option<&str>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.fields() {
            let value = if name == "cursor" { cursor.unwrap_or_default() } else { value };
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.finish()
    }

    /// This list's address at another cursor, the search and filters kept.
    fn at(&self, code: &str, cursor: Option<&str>) -> String {
        let query = self.query(cursor);
        if query.is_empty() { list_path(code) } else { format!("{}?{query}", list_path(code)) }
    }
}

/// How many people a page of the console's list shows.
const PAGE: u64 = 50;

pub async fn list(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageQuery(search): PageQuery<Search>,
) -> Response {
    let here = list_path(&code);
    let provider: Tenant = match get(&console, &admin, &format!("/providers/{}", seg(&code))).await {
        Ok(p) => p,
        Err(e) => return refused(&console, &admin, e, &here),
    };
    let api = format!("/providers/{}/users?{}", seg(&code), search.api_query());
    match get::<Listing<User>>(&console, &admin, &api).await {
        Ok(listing) => {
            let next = listing.next_cursor.as_deref().map(|c| search.at(&code, Some(c)));
            let previous = listing.previous_cursor.as_deref().map(|c| search.at(&code, Some(c)));
            let first = (!search.cursor.is_empty()).then(|| search.at(&code, None));
            let filtered = search.fields().iter().any(|(name, value)| *name != "cursor" && !value.is_empty());
            let ctx = context! {
                provider, users => listing.entries, q => search.q, status => search.status,
                user_type => search.user_type, second_factor => search.second_factor,
                next, previous, first, filtered, list_query => search.query(Some(&search.cursor)),
            };
            page(&console, &admin, StatusCode::OK, "console/users.html", ctx)
        }
        Err(e) => refused(&console, &admin, e, &here),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewUserForm {
    csrf: Option<String>,
    login_name: String,
    user_type: String,
}

/// The temporary password is on this answer only: it is not redirected to, stored or logged.
fn temporary(console: &Console, admin: &Admin, code: &str, shown: &WithPassword, created: bool) -> Response {
    page(
        console,
        admin,
        StatusCode::OK,
        "console/temporary_password.html",
        context! { code, user => shown, created, password => shown.temporary_password },
    )
}

pub async fn create(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageForm(form): PageForm<NewUserForm>,
) -> Response {
    let here = list_path(&code);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let body = json!({ "login_name": form.login_name, "user_type": form.user_type });
    match send(&console, &admin, Method::POST, &format!("/providers/{}/users", seg(&code)), body).await {
        Ok(user) => temporary(&console, &admin, &code, &user, true),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

pub async fn show(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
) -> Response {
    let here = user_path(&code, &login);
    let api = api_user(&code, &login);
    let user: User = match get(&console, &admin, &api).await {
        Ok(u) => u,
        Err(e) => return refused(&console, &admin, e, &here),
    };
    let activity_query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("user", &login)
        .append_pair("limit", "20")
        .finish();
    let (apps_path, sessions_path) = (format!("{api}/applications"), format!("{api}/sessions"));
    let activity_path = format!("/providers/{}/activity?{activity_query}", seg(&code));
    let factors_path = format!("{api}/second-factors");
    let (apps, sessions, activity, factors) = tokio::join!(
        get::<Vec<ApplicationAccess>>(&console, &admin, &apps_path),
        get::<Vec<LiveSession>>(&console, &admin, &sessions_path),
        get::<Page>(&console, &admin, &activity_path),
        get::<SecondFactors>(&console, &admin, &factors_path),
    );
    let (apps, sessions, activity) = match (apps, sessions, activity) {
        (Ok(a), Ok(s), Ok(act)) => (a, s, act),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return refused(&console, &admin, e, &here),
    };
    // F6: someone this administrator may not administer shows no factors (the API says so).
    let factors = factors.ok();
    page(
        &console,
        &admin,
        StatusCode::OK,
        "console/user.html",
        context! { code, user, apps, sessions, factors, entries => activity.entries },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: Option<String>,
    action: String,
    confirmed: Option<String>,
    enabled: String,
    back: String,
    /// The list's query the form was on, to return to the same page of it.
    list: String,
    status: String,
    user_type: String,
    user_administrator: Option<String>,
}

/// What an A1 action is called on its confirmation page; `None`: nothing to confirm.
fn needs_confirmation(action: &str) -> Option<(&'static str, &'static str)> {
    match action {
        "admin_lock" => {
            Some(("Lock this account? The user is signed out everywhere and cannot sign in until unlocked.", "Lock"))
        }
        "deactivate" => {
            Some(("Deactivate this account? The user is signed out everywhere and cannot sign in.", "Deactivate"))
        }
        "delete" => Some(("Delete this account? This cannot be undone.", "Delete")),
        _ => None,
    }
}

pub async fn change_status(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let here = user_path(&code, &login);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    // From the invitations list, disabling and enabling return there (P2).
    let to =
        if form.back == "invitations" { format!("/admin/providers/{}/invitations", seg(&code)) } else { here.clone() };
    if let (Some((question, button)), None) = (needs_confirmation(&form.action), &form.confirmed) {
        let fields = [("action", form.action.as_str()), ("back", form.back.as_str())];
        return confirm(&console, &admin, &format!("{here}/status"), &fields, question, button, &to);
    }
    let body = json!({ "action": form.action });
    match send::<Option<User>>(&console, &admin, Method::POST, &format!("{}/status", api_user(&code, &login)), body)
        .await
    {
        Ok(_) if form.action == "delete" => {
            back(&console, &list_path(&code), Flash::notice(format!("{login} was deleted.")))
        }
        Ok(user) => {
            let status = user.map(|u| u.status.as_str().replace('_', " ")).unwrap_or_default();
            back(&console, &to, Flash::notice(format!("{login} is now {status}.")))
        }
        Err(e) => refused_action(&console, &admin, e, &to),
    }
}

pub async fn reset_password(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let here = user_path(&code, &login);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    if form.confirmed.is_none() {
        let question = "Reset this password to a temporary one? The user is signed out everywhere and must choose a new password at their next sign-in.";
        return confirm(&console, &admin, &format!("{here}/password"), &[], question, "Reset password", &here);
    }
    match send(&console, &admin, Method::POST, &format!("{}/password", api_user(&code, &login)), json!({})).await {
        Ok(user) => temporary(&console, &admin, &code, &user, false),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

/// S1's per-user switch, from the list or from the user's page.
pub async fn self_reset(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let to = if form.back == "list" {
        // Rebuilt from its fields, never echoed: the way back stays on this list.
        let search: Search = serde_urlencoded::from_str(&form.list).unwrap_or_default();
        search.at(&code, Some(&search.cursor))
    } else {
        user_path(&code, &login)
    };
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &to);
    }
    let enabled = form.enabled == "true";
    let body = json!({ "self_reset_enabled": enabled });
    match send::<User>(&console, &admin, Method::PATCH, &api_user(&code, &login), body).await {
        Ok(_) => {
            let state = if enabled { "enabled" } else { "disabled" };
            back(&console, &to, Flash::notice(format!("Self password reset {state} for {login}.")))
        }
        Err(e) => refused_action(&console, &admin, e, &to),
    }
}

/// T2: the user type and the user-administrator role.
pub async fn role(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let here = user_path(&code, &login);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    // Only what differs from the user as they are now is sent, so the record holds real
    // changes (and a change someone else made meanwhile is not undone by an unchanged field).
    let current: User = match get(&console, &admin, &api_user(&code, &login)).await {
        Ok(u) => u,
        Err(e) => return refused_action(&console, &admin, e, &here),
    };
    let mut body = serde_json::Map::new();
    if current.user_type.as_str() != form.user_type {
        body.insert("user_type".into(), json!(form.user_type));
    }
    if current.is_user_admin != form.user_administrator.is_some() {
        body.insert("user_administrator".into(), json!(form.user_administrator.is_some()));
    }
    if body.is_empty() {
        return back(&console, &here, Flash::notice("Nothing changed."));
    }
    match send::<User>(&console, &admin, Method::PATCH, &api_user(&code, &login), Value::Object(body)).await {
        Ok(_) => back(&console, &here, Flash::notice("Type and role saved.")),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

/// L6: every session and token of the user ends; their applications are told.
pub async fn sign_out_everywhere(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let here = user_path(&code, &login);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    if form.confirmed.is_none() {
        let question = "Sign this user out everywhere? Every session and token ends, and their applications are told.";
        return confirm(&console, &admin, &format!("{here}/sign-out"), &[], question, "Sign out everywhere", &here);
    }
    let path = format!("{}/sessions", api_user(&code, &login));
    match console.api.call::<IgnoredAny>(&admin.signed.token, &admin.caller, Method::DELETE, &path, None).await {
        Ok(_) => back(&console, &here, Flash::notice(format!("{login} was signed out everywhere."))),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

/// T4: the user's status in one application.
pub async fn app_access(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login, client_id)): Path<(String, String, String)>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let here = user_path(&code, &login);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let path = format!("{}/applications/{}", api_user(&code, &login), seg(&client_id));
    match send::<IgnoredAny>(&console, &admin, Method::PUT, &path, json!({ "status": form.status })).await {
        Ok(_) => back(&console, &here, Flash::notice(format!("Access to {client_id} saved."))),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}
