//! Client applications (T4), for platform operators: register (a confidential client's secret
//! is shown once, with a copy button), edit the URIs, rotate the secret, switch off and on.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Console;
use super::api::ApiError;
use super::session::{Admin, Flash};
use super::view::{back, confirm, expired, page, refused, refused_action, seg};
use crate::accounts::admin::{SecretShown, WithSecret};
use crate::domain::application::Client;
use crate::domain::listing::{Listing, MAX_LIMIT};
use crate::domain::tenant::Tenant;
use crate::http::{PageForm, PageQuery, csrf};

const LIST: &str = "/admin/applications";

fn app_path(client_id: &str) -> String {
    format!("/admin/applications/{}", seg(client_id))
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct AppForm {
    #[serde(skip_serializing)]
    csrf: Option<String>,
    name: String,
    client_id: String,
    /// `confidential` (a secret), `keys` (`private_key_jwt`: its own keys) or `public` (PKCE only).
    client_type: String,
    /// RFC 7523: a `keys` client's public keys, a JWK Set as JSON; or the URL it publishes them at.
    jwks: String,
    jwks_uri: String,
    /// `fapi2`: held to the FAPI 2.0 Security Profile (a `keys` client only).
    profile: String,
    /// RFC 9449 §5.2: its access tokens are always DPoP-bound.
    dpop_bound: String,
    /// Provider codes, separated by spaces or commas.
    providers: String,
    /// One per line.
    redirect_uris: String,
    post_logout_redirect_uris: String,
    initiate_login_uri: String,
    backchannel_logout_uri: String,
    #[serde(skip_serializing)]
    confirmed: Option<String>,
    #[serde(skip_serializing)]
    disabled: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

fn optional(text: &str) -> Value {
    let t = text.trim();
    if t.is_empty() { Value::Null } else { json!(t) }
}

/// The API's field messages, or its one message under `form`.
fn field_errors(detail: String, errors: std::collections::BTreeMap<String, String>) -> Map<String, Value> {
    let mut shown: Map<String, Value> = errors.into_iter().map(|(k, v)| (k, json!(v))).collect();
    if shown.is_empty() {
        shown.insert("form".into(), json!(detail));
    }
    shown
}

/// A page of the applications list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct At {
    cursor: String,
}

/// `cursor=…`, encoded for a query string.
fn cursor_query(cursor: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new()).append_pair("cursor", cursor).finish()
}

fn list_at(cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("{LIST}?{}", cursor_query(c)),
        None => LIST.into(),
    }
}

/// How many applications a page of the console's list shows.
const PAGE: u64 = 50;

async fn render_list(
    console: &Console,
    admin: &Admin,
    status: StatusCode,
    at: &At,
    typed: Option<&AppForm>,
    errors: Map<String, Value>,
) -> Response {
    let token = &admin.signed.token;
    let mut apps_path = format!("/clients?limit={PAGE}");
    if !at.cursor.is_empty() {
        apps_path = format!("{apps_path}&{}", cursor_query(&at.cursor));
    }
    // The form's hint names providers: one page of them, the rest found on the Providers page.
    let providers_path = format!("/providers?limit={MAX_LIMIT}");
    let (apps, providers) = tokio::join!(
        console.api.call::<Listing<Client>>(token, &admin.caller, Method::GET, &apps_path, None),
        console.api.call::<Listing<Tenant>>(token, &admin.caller, Method::GET, &providers_path, None),
    );
    match (apps, providers) {
        (Ok(apps), Ok(providers)) => {
            let default = AppForm { client_type: "confidential".into(), ..AppForm::default() };
            let form = typed.unwrap_or(&default);
            let next = apps.next_cursor.as_deref().map(|c| list_at(Some(c)));
            let previous = apps.previous_cursor.as_deref().map(|c| list_at(Some(c)));
            let first = (!at.cursor.is_empty()).then(|| list_at(None));
            let more_providers = providers.next_cursor.is_some();
            let ctx = context! {
                apps => apps.entries, providers => providers.entries, more_providers, next, previous, first, form, errors
            };
            page(console, admin, status, "console/applications.html", ctx)
        }
        (Err(e), _) | (_, Err(e)) => refused(console, admin, e, LIST),
    }
}

pub async fn list(State(console): State<Console>, admin: Admin, PageQuery(at): PageQuery<At>) -> Response {
    render_list(&console, &admin, StatusCode::OK, &at, None, Map::new()).await
}

pub async fn register(State(console): State<Console>, admin: Admin, PageForm(form): PageForm<AppForm>) -> Response {
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, LIST);
    }
    let public = form.client_type == "public";
    let keyed = form.client_type == "keys";
    let providers: Vec<&str> = form.providers.split([',', ' ']).filter(|p| !p.is_empty()).collect();
    // Read only for a client that signs with its own keys; ignored otherwise.
    let jwks = match form.jwks.trim() {
        _ if !keyed => Value::Null,
        "" => Value::Null,
        text => match serde_json::from_str::<Value>(text) {
            Ok(v) => v,
            Err(e) => {
                let errors = Map::from_iter([("jwks".to_string(), json!(format!("not JSON: {e}")))]);
                return render_list(&console, &admin, StatusCode::BAD_REQUEST, &At::default(), Some(&form), errors)
                    .await;
            }
        },
    };
    let fapi2 = form.profile == "fapi2";
    let method = match (public, keyed) {
        (true, _) => "none",
        (_, true) => "private_key_jwt",
        _ => "client_secret_basic",
    };
    let mut body = json!({
        "client_id": optional(&form.client_id),
        "name": form.name.trim(),
        "providers": providers,
        "redirect_uris": lines(&form.redirect_uris),
        "post_logout_redirect_uris": lines(&form.post_logout_redirect_uris),
        "initiate_login_uri": optional(&form.initiate_login_uri),
        "backchannel_logout_uri": optional(&form.backchannel_logout_uri),
        "token_endpoint_auth_method": method,
        "dpop_bound_access_tokens": !form.dpop_bound.is_empty(),
    });
    if let Some(fields) = body.as_object_mut() {
        if keyed {
            fields.insert("jwks".into(), jwks);
            fields.insert("jwks_uri".into(), optional(&form.jwks_uri));
        }
        if fapi2 {
            // The profile signs ID tokens in a FAPI 2.0 algorithm; ES256 is everyone's.
            fields.insert("profile".into(), json!("fapi2"));
            fields.insert("id_token_signed_response_alg".into(), json!("ES256"));
        }
    }
    match console.api.call::<WithSecret>(&admin.signed.token, &admin.caller, Method::POST, "/clients", Some(body)).await
    {
        Ok(app) => page(&console, &admin, StatusCode::OK, "console/secret.html", context! { app, registered => true }),
        Err(ApiError::Refused {
            status: StatusCode::BAD_REQUEST | StatusCode::CONFLICT | StatusCode::NOT_FOUND,
            detail,
            errors,
        }) => {
            render_list(
                &console,
                &admin,
                StatusCode::BAD_REQUEST,
                &At::default(),
                Some(&form),
                field_errors(detail, errors),
            )
            .await
        }
        Err(e) => refused_action(&console, &admin, e, LIST),
    }
}

async fn render_app(
    console: &Console,
    admin: &Admin,
    client_id: &str,
    status: StatusCode,
    typed: Option<&AppForm>,
    errors: Map<String, Value>,
) -> Response {
    let path = format!("/clients/{}", seg(client_id));
    match console.api.call::<Client>(&admin.signed.token, &admin.caller, Method::GET, &path, None).await {
        Ok(app) => {
            let m = &app.metadata;
            let current = AppForm {
                name: app.name.clone(),
                redirect_uris: m.redirect_uris.join("\n"),
                post_logout_redirect_uris: m.post_logout_redirect_uris.join("\n"),
                initiate_login_uri: m.initiate_login_uri.clone().unwrap_or_default(),
                backchannel_logout_uri: m.backchannel_logout_uri.clone().unwrap_or_default(),
                ..AppForm::default()
            };
            let form = typed.unwrap_or(&current);
            page(console, admin, status, "console/application.html", context! { app, form, errors })
        }
        Err(e) => refused(console, admin, e, &app_path(client_id)),
    }
}

pub async fn show(State(console): State<Console>, admin: Admin, Path(client_id): Path<String>) -> Response {
    render_app(&console, &admin, &client_id, StatusCode::OK, None, Map::new()).await
}

pub async fn update(
    State(console): State<Console>,
    admin: Admin,
    Path(client_id): Path<String>,
    PageForm(form): PageForm<AppForm>,
) -> Response {
    let here = app_path(&client_id);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let body = json!({
        "name": form.name.trim(),
        "redirect_uris": lines(&form.redirect_uris),
        "post_logout_redirect_uris": lines(&form.post_logout_redirect_uris),
        "initiate_login_uri": optional(&form.initiate_login_uri),
        "backchannel_logout_uri": optional(&form.backchannel_logout_uri),
    });
    let path = format!("/clients/{}", seg(&client_id));
    match console.api.call::<Client>(&admin.signed.token, &admin.caller, Method::PATCH, &path, Some(body)).await {
        Ok(_) => back(&console, &here, Flash::notice("Application saved.")),
        Err(ApiError::Refused { status: StatusCode::BAD_REQUEST | StatusCode::CONFLICT, detail, errors }) => {
            render_app(&console, &admin, &client_id, StatusCode::BAD_REQUEST, Some(&form), field_errors(detail, errors))
                .await
        }
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

pub async fn rotate(
    State(console): State<Console>,
    admin: Admin,
    Path(client_id): Path<String>,
    PageForm(form): PageForm<AppForm>,
) -> Response {
    let here = app_path(&client_id);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    if form.confirmed.is_none() {
        let question =
            "Rotate the secret? The current secret stops working at once; the application needs the new one.";
        return confirm(&console, &admin, &format!("{here}/secret"), &[], question, "Rotate secret", &here);
    }
    let path = format!("/clients/{}/secret", seg(&client_id));
    match console.api.call::<SecretShown>(&admin.signed.token, &admin.caller, Method::POST, &path, None).await {
        Ok(app) => page(&console, &admin, StatusCode::OK, "console/secret.html", context! { app, registered => false }),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

pub async fn switch(
    State(console): State<Console>,
    admin: Admin,
    Path(client_id): Path<String>,
    PageForm(form): PageForm<AppForm>,
) -> Response {
    let here = app_path(&client_id);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let disable = form.disabled == "true";
    if disable && form.confirmed.is_none() {
        let question =
            "Disable this application? Nobody can sign in to it and it gets no tokens until it is enabled again.";
        let fields = [("disabled", "true")];
        return confirm(&console, &admin, &format!("{here}/disabled"), &fields, question, "Disable", &here);
    }
    let path = format!("/clients/{}", seg(&client_id));
    match console
        .api
        .call::<Client>(&admin.signed.token, &admin.caller, Method::PATCH, &path, Some(json!({ "disabled": disable })))
        .await
    {
        Ok(_) => {
            back(&console, &here, Flash::notice(if disable { "Application disabled." } else { "Application enabled." }))
        }
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}
