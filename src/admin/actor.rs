//! Who is calling the administration API, and what they may touch — decided on every request
//! from the bearer token alone:
//! - a `client_credentials` token of a client registered with an `admin_role`;
//! - a person's token (the console's code flow): super and provider admins administer their
//!   provider, user administrators (T2) its users.
//!
//! Either way the token must carry the `admin` scope. Another provider's things are answered
//! as if they did not exist (404), so the API does not tell one agency what another has.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::problem::Problem;
use crate::accounts::Accounts;
pub use crate::accounts::admin::Role;
use crate::accounts::admin::{self, Acting, Admin};
use crate::domain::application::{ADMIN_SCOPE, AdminGrant, CONSOLE_CLIENT_ID};
use crate::domain::tenant::{Tenant, TenantId};
use crate::domain::user::{User, UserType};
use crate::http::RequestOrigin;
use crate::http::bearer::Bearer;

/// The caller of the administration API, found from the bearer token. What they may do is the
/// accounts' decision (`accounts::admin::Actor`); this type only finds out who is calling.
#[derive(Clone, Debug)]
pub struct Actor(pub admin::Actor);

impl std::ops::Deref for Actor {
    type Target = admin::Actor;

    fn deref(&self) -> &admin::Actor {
        &self.0
    }
}

impl Actor {
    /// The administrative calls this caller makes, recorded as theirs.
    pub fn accounts<'a>(&self, accounts: &'a Accounts) -> Admin<'a> {
        accounts.admin(self.0.clone())
    }

    pub fn platform(&self) -> Result<(), Problem> {
        Ok(self.0.platform()?)
    }

    /// The provider named by `code`, if this caller may see it at all (another's is a 404).
    pub async fn provider(&self, accounts: &Accounts, code: &str) -> Result<Tenant, Problem> {
        Ok(self.accounts(accounts).provider(code).await?)
    }

    /// The provider, if this caller may change its settings.
    pub async fn provider_settings(&self, accounts: &Accounts, code: &str) -> Result<Tenant, Problem> {
        Ok(self.accounts(accounts).provider_settings(code).await?)
    }

    /// The provider's user `login`, if this caller may administer them.
    pub async fn user(&self, accounts: &Accounts, code: &str, login: &str) -> Result<(Tenant, User), Problem> {
        Ok(self.accounts(accounts).administered(code, login).await?)
    }
}

impl<S> FromRequestParts<S> for Actor
where
    S: Send + Sync,
    Accounts: FromRef<S>,
    Bearer: FromRef<S>,
    crate::http::Site: FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let accounts = Accounts::from_ref(state);
        let Bearer(check) = Bearer::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, t)| t))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 4096)
            .ok_or_else(|| Problem::unauthorized("a bearer access token is required"))?;
        let grant = check
            .check(token)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| Problem::unauthorized("the access token is invalid, expired or revoked"))?;
        if !grant.scope.iter().any(|s| s == ADMIN_SCOPE) {
            return Err(Problem::forbidden("the access token lacks the admin scope"));
        }
        let RequestOrigin(origin) = match RequestOrigin::from_request_parts(parts, state).await {
            Ok(o) => o,
            Err(never) => match never {},
        };
        let (role, actor) = match grant.user_id {
            None => {
                let client = accounts
                    .client(&grant.client_id)
                    .await
                    .map_err(|e| Problem::from(crate::accounts::Internal::from(e)))?
                    .ok_or_else(|| Problem::unauthorized("the client behind the token no longer exists"))?;
                let role = match &client.metadata.admin_role {
                    None => return Err(Problem::forbidden("this client has no administrative role")),
                    Some(AdminGrant::PlatformOperator) => Role::PlatformOperator,
                    Some(AdminGrant::ProviderAdmin { provider }) => {
                        Role::ProviderAdmin(tenant_id(&accounts, provider).await?)
                    }
                    Some(AdminGrant::UserAdministrator { provider }) => {
                        Role::UserAdministrator(tenant_id(&accounts, provider).await?)
                    }
                };
                (role, format!("client:{}", client.client_id))
            }
            Some(user_id) => {
                // The application the person signed in to must still be there and enabled.
                let client = accounts
                    .client(&grant.client_id)
                    .await
                    .map_err(|e| Problem::from(crate::accounts::Internal::from(e)))?
                    .ok_or_else(|| Problem::unauthorized("the application behind the token is disabled or deleted"))?;
                // A person's administrative power rides only with the console and applications a
                // platform operator marked for administration.
                if !client.carries_admin_power() {
                    return Err(Problem::forbidden("this application is not marked for administration"));
                }
                // The console's token lives no longer than the Lanyard session it was signed in
                // with: signing out of Lanyard (or the session ending any other way) ends it.
                if client.client_id == CONSOLE_CLIENT_ID {
                    let live = match grant.sid.as_deref() {
                        Some(sid) => accounts
                            .session_live(sid, user_id)
                            .await
                            .map_err(|e| Problem::from(crate::accounts::Internal::from(e)))?,
                        None => false,
                    };
                    if !live {
                        return Err(Problem::unauthorized("the Lanyard session behind this token has ended"));
                    }
                }
                let user = accounts
                    .user_by_id(user_id)
                    .await
                    .map_err(|e| Problem::from(crate::accounts::Internal::from(e)))?
                    .ok_or_else(|| Problem::unauthorized("the user behind the token no longer exists"))?;
                let tenant = accounts
                    .tenant_by_id(user.tenant_id)
                    .await
                    .map_err(|e| Problem::from(crate::accounts::Internal::from(e)))?
                    .ok_or_else(|| Problem::unauthorized("the user's provider no longer exists"))?;
                // The same T1/T4 checks as a token request: an inactive provider, or a user locked or
                // switched off in this application, administers nothing.
                if accounts.check_access(&user, &tenant, &client).await.is_err() {
                    return Err(Problem::forbidden("this user may no longer use the application behind the token"));
                }
                let role = match user.user_type {
                    _ if user.is_platform_operator => Role::PlatformOperator,
                    UserType::SuperAdmin => Role::SuperAdmin(tenant.id),
                    UserType::ProviderAdmin => Role::ProviderAdmin(tenant.id),
                    UserType::Regular if user.is_user_admin => Role::UserAdministrator(tenant.id),
                    UserType::Regular => return Err(Problem::forbidden("this user administers nothing")),
                };
                (role, format!("user:{}/{}", tenant.provider_code, user.login_name.as_str()))
            }
        };
        Ok(Actor(admin::Actor::new(role, Acting { actor, origin })))
    }
}

async fn tenant_id(accounts: &Accounts, code: &str) -> Result<TenantId, Problem> {
    let tenant = match crate::domain::tenant::ProviderCode::parse(code) {
        Some(code) => {
            accounts.tenant_by_code(&code).await.map_err(|e| Problem::from(crate::accounts::Internal::from(e)))?
        }
        None => None,
    };
    tenant.map(|t| t.id).ok_or_else(|| Problem::forbidden("the provider this client administers no longer exists"))
}
