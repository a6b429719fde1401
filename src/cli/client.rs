use clap::Subcommand;
use serde::Serialize;

use super::CliError;
use super::output::{emit, print_pages};
use crate::accounts::admin::Actor;
use crate::app::AppState;
use crate::domain::application::{ADMIN_SCOPE, AdminGrant, Client, ClientMetadata, TokenEndpointAuthMethod};
use crate::domain::listing::MAX_LIMIT;

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum ClientCommand {
    /// Register an application. A confidential client's secret is printed once.
    Create {
        #[arg(long)]
        name: String,
        /// Client id (default: generated).
        #[arg(long)]
        id: Option<String>,
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// OIDC third-party-initiated login endpoint (unified login, U2).
        #[arg(long)]
        initiate_login_uri: Option<String>,
        #[arg(long)]
        backchannel_logout_uri: Option<String>,
        /// A public client (PKCE, no secret).
        #[arg(long)]
        public: bool,
        /// client_secret_basic (default), client_secret_post or private_key_jwt (with --jwks-file).
        #[arg(long, default_value = "client_secret_basic")]
        auth_method: String,
        /// RFC 7523: a JSON file with the client's public keys, a JWK Set ({"keys": [...]}).
        #[arg(long)]
        jwks_file: Option<std::path::PathBuf>,
        /// RFC 7591: where the client publishes its public keys instead (https).
        #[arg(long)]
        jwks_uri: Option<String>,
        #[arg(long = "grant")]
        grant_types: Vec<String>,
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[arg(long, default_value = "RS256")]
        alg: String,
        /// Issue RFC 9068 JWT access tokens instead of opaque ones.
        #[arg(long)]
        jwt_access_tokens: bool,
        /// Provider codes whose users may use the application (T4).
        #[arg(long = "tenant")]
        tenants: Vec<String>,
        /// Automation: what this client's client_credentials tokens (scope admin) administer:
        /// platform, provider-admin:CODE or user-admin:CODE. Adds the grant and the scope.
        #[arg(long)]
        admin_role: Option<String>,
        /// Mark the application for administration: the people who sign in to it may get
        /// tokens with their administrative power (scope admin). Off by default.
        #[arg(long)]
        administration: bool,
        /// F4: the application's users need a second factor, whatever their provider says.
        #[arg(long)]
        require_mfa: bool,
        /// RFC 9126: the application must push its authorization requests to /par first.
        #[arg(long)]
        require_par: bool,
        /// RFC 9449: the application's access tokens are always DPoP-bound.
        #[arg(long)]
        dpop_bound: bool,
        /// standard (default) or fapi2: the FAPI 2.0 Security Profile (private_key_jwt, PAR,
        /// PKCE, DPoP, PS256/ES256/EdDSA, refresh tokens not rotated).
        #[arg(long, default_value = "standard")]
        profile: String,
        /// on|off: whether a refresh replaces the refresh token (default: on, off under fapi2).
        #[arg(long, value_parser = super::output::on_off)]
        refresh_rotation: Option<bool>,
    },
    List,
    Show {
        client_id: String,
    },
    /// Replace the secret; the old one stops working at once. The new one is printed once.
    RotateSecret {
        client_id: String,
    },
    /// Change the name or URIs, or switch the application off (--disable) or on (--enable).
    Update {
        client_id: String,
        #[arg(long)]
        name: Option<String>,
        /// Replaces every redirect URI (repeat the flag for several).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        #[arg(long)]
        initiate_login_uri: Option<String>,
        #[arg(long)]
        backchannel_logout_uri: Option<String>,
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        #[arg(long)]
        enable: bool,
        /// on|off: the people who sign in to it may get tokens with their administrative power.
        #[arg(long, value_parser = super::output::on_off)]
        administration: Option<bool>,
        /// on|off (F4): the application's users need a second factor, whatever their provider says.
        #[arg(long, value_parser = super::output::on_off)]
        require_mfa: Option<bool>,
    },
    /// Delete the application (its users' per-application statuses go with it).
    Delete {
        client_id: String,
    },
}

#[derive(Serialize)]
struct WithSecret<'a> {
    #[serde(flatten)]
    client: &'a Client,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
}

fn line(c: &Client) -> String {
    format!(
        "{}\t{}\t{}\t{}",
        c.client_id,
        c.name,
        if c.is_public() { "public" } else { "confidential" },
        c.metadata.redirect_uris.join(" ")
    )
}

pub async fn run(cmd: ClientCommand, json: bool, state: &AppState) -> Result<(), CliError> {
    // The operator at this shell: every change is recorded as `cli`.
    let accounts = &state.accounts.admin(Actor::operator());
    match cmd {
        ClientCommand::Create {
            name,
            id,
            redirect_uris,
            post_logout_redirect_uris,
            initiate_login_uri,
            backchannel_logout_uri,
            public,
            auth_method,
            jwks_file,
            jwks_uri,
            grant_types,
            scopes,
            alg,
            jwt_access_tokens,
            tenants,
            admin_role,
            administration,
            require_mfa,
            require_par,
            dpop_bound,
            profile,
            refresh_rotation,
        } => {
            let token_endpoint_auth_method = match (public, auth_method.as_str()) {
                (true, _) => TokenEndpointAuthMethod::None,
                (false, "client_secret_basic") => TokenEndpointAuthMethod::ClientSecretBasic,
                (false, "client_secret_post") => TokenEndpointAuthMethod::ClientSecretPost,
                (false, "private_key_jwt") => TokenEndpointAuthMethod::PrivateKeyJwt,
                (false, other) => {
                    return Err(CliError(format!("--auth-method: {other} is not supported")));
                }
            };
            let mut metadata: ClientMetadata = serde_json::from_value(serde_json::json!({
                "redirect_uris": redirect_uris,
                "token_endpoint_auth_method": token_endpoint_auth_method,
            }))?;
            if let Some(path) = jwks_file {
                let text = std::fs::read_to_string(&path).map_err(|e| CliError(format!("{}: {e}", path.display())))?;
                let jwks = serde_json::from_str(&text).map_err(|e| CliError(format!("{}: {e}", path.display())))?;
                metadata.jwks = Some(jwks);
            }
            metadata.jwks_uri = jwks_uri;
            metadata.post_logout_redirect_uris = post_logout_redirect_uris;
            metadata.initiate_login_uri = initiate_login_uri;
            metadata.backchannel_logout_uri = backchannel_logout_uri;
            metadata.id_token_signed_response_alg = alg;
            if jwt_access_tokens {
                metadata.access_token_format = crate::domain::application::AccessTokenFormat::Jwt;
            }
            if !grant_types.is_empty() {
                metadata.grant_types = grant_types;
            }
            if !scopes.is_empty() {
                metadata.scopes = scopes;
            }
            metadata.administration = administration;
            metadata.require_mfa = require_mfa;
            metadata.require_pushed_authorization_requests = require_par;
            metadata.dpop_bound_access_tokens = dpop_bound;
            metadata.profile = serde_json::from_value(serde_json::json!(profile))
                .map_err(|_| CliError(format!("--profile: {profile} is not standard or fapi2")))?;
            metadata.refresh_token_rotation = refresh_rotation;
            if let Some(role) = admin_role {
                metadata.admin_role =
                    Some(AdminGrant::parse(&role).map_err(|e| CliError(format!("--admin-role: {e}")))?);
                // Without redirect URIs it is an automation client: client_credentials only.
                if metadata.redirect_uris.is_empty() {
                    metadata.grant_types.retain(|g| g == "client_credentials");
                }
                for (list, item) in
                    [(&mut metadata.grant_types, "client_credentials"), (&mut metadata.scopes, ADMIN_SCOPE)]
                {
                    if !list.iter().any(|x| x == item) {
                        list.push(item.to_string());
                    }
                }
            }
            let (client, secret) = accounts.create_client(id.as_deref(), &name, &metadata, &tenants).await?;
            let out = WithSecret { client: &client, client_secret: secret.as_ref().map(|s| s.expose()) };
            emit(json, &out, |o| match o.client_secret {
                Some(s) => format!("{}\nclient secret (shown once): {s}", line(o.client)),
                None => line(o.client),
            });
        }
        ClientCommand::List => {
            print_pages(json, async |from| accounts.clients_page(from, MAX_LIMIT).await, line).await?;
        }
        ClientCommand::Show { client_id } => {
            let c = accounts
                .client_registration(&client_id)
                .await?
                .ok_or_else(|| CliError(format!("client {client_id} does not exist")))?;
            emit(json, &c, line);
        }
        ClientCommand::Update {
            client_id,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            initiate_login_uri,
            backchannel_logout_uri,
            disable,
            enable,
            administration,
            require_mfa,
        } => {
            let c = accounts
                .client_registration(&client_id)
                .await?
                .ok_or_else(|| CliError(format!("client {client_id} does not exist")))?;
            let mut metadata = c.metadata.clone();
            if !redirect_uris.is_empty() {
                metadata.redirect_uris = redirect_uris;
            }
            if !post_logout_redirect_uris.is_empty() {
                metadata.post_logout_redirect_uris = post_logout_redirect_uris;
            }
            if initiate_login_uri.is_some() {
                metadata.initiate_login_uri = initiate_login_uri;
            }
            if backchannel_logout_uri.is_some() {
                metadata.backchannel_logout_uri = backchannel_logout_uri;
            }
            if disable || enable {
                metadata.disabled = disable;
            }
            if let Some(administration) = administration {
                metadata.administration = administration;
            }
            if let Some(require_mfa) = require_mfa {
                metadata.require_mfa = require_mfa;
            }
            accounts.update_client(&client_id, name.as_deref().unwrap_or(&c.name), &metadata).await?;
            let updated = accounts
                .client_registration(&client_id)
                .await?
                .ok_or_else(|| CliError(format!("client {client_id} does not exist")))?;
            emit(json, &updated, line);
        }
        ClientCommand::Delete { client_id } => {
            accounts.delete_client(&client_id).await?;
            emit(json, &serde_json::json!({ "deleted": client_id }), |_| format!("client {client_id} deleted"));
        }
        ClientCommand::RotateSecret { client_id } => {
            let secret = accounts.rotate_client_secret(&client_id).await?;
            emit(json, &serde_json::json!({ "client_id": client_id, "client_secret": secret.expose() }), |v| {
                format!("client secret (shown once): {}", v["client_secret"].as_str().unwrap_or_default())
            });
        }
    }
    Ok(())
}
