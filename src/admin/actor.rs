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
use crate::accounts::admin::{Acting, AdminError};
use crate::domain::application::{ADMIN_SCOPE, AdminGrant, CONSOLE_CLIENT_ID};
use crate::domain::tenant::{Tenant, TenantId};
use crate::domain::user::{User, UserType};
use crate::http::RequestOrigin;
use crate::http::bearer::Bearer;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    PlatformOperator,
    /// The provider's top administrator: also administers its super and provider admins.
    SuperAdmin(TenantId),
    ProviderAdmin(TenantId),
    /// T2: the provider's users, not its settings or its administrators.
    UserAdministrator(TenantId),
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub role: Role,
    /// For the activity record: who, from where.
    pub acting: Acting,
}

impl Actor {
    /// `accounts`, recording every change as made by this actor.
    pub fn accounts(&self, accounts: &Accounts) -> Accounts {
        accounts.acting_as(self.acting.clone())
    }

    pub fn platform(&self) -> Result<(), Problem> {
        match self.role {
            Role::PlatformOperator => Ok(()),
            _ => Err(Problem::forbidden("only a platform operator may do this")),
        }
    }

    pub fn is_platform(&self) -> bool {
        self.role == Role::PlatformOperator
    }

    /// The provider named by `code`, if this actor may see it at all.
    pub async fn provider(&self, accounts: &Accounts, code: &str) -> Result<Tenant, Problem> {
        let tenant = accounts.tenant(code).await.map_err(Problem::from)?;
        match self.role {
            Role::PlatformOperator => Ok(tenant),
            Role::SuperAdmin(id) | Role::ProviderAdmin(id) | Role::UserAdministrator(id) if id == tenant.id => {
                Ok(tenant)
            }
            _ => Err(Problem::not_found(&format!("tenant {code}"))),
        }
    }

    /// The provider, if this actor may change its settings (policy, S1 switch).
    pub async fn provider_settings(&self, accounts: &Accounts, code: &str) -> Result<Tenant, Problem> {
        let tenant = self.provider(accounts, code).await?;
        match self.role {
            Role::UserAdministrator(_) => {
                Err(Problem::forbidden("a user administrator cannot change provider settings"))
            }
            _ => Ok(tenant),
        }
    }

    /// The provider's user `login`, if this actor may administer them. Nobody administers
    /// someone above them: only platform operators touch a platform operator, only super admins
    /// (and the platform) a super admin, and a user administrator no administrator at all.
    pub async fn user(&self, accounts: &Accounts, code: &str, login: &str) -> Result<(Tenant, User), Problem> {
        let tenant = self.provider(accounts, code).await?;
        let (tenant, user) = accounts.user(tenant.provider_code.as_str(), login).await.map_err(Problem::from)?;
        let above = match self.role {
            Role::PlatformOperator => false,
            _ if user.is_platform_operator => true,
            Role::SuperAdmin(_) => false,
            Role::ProviderAdmin(_) => user.user_type == UserType::SuperAdmin,
            Role::UserAdministrator(_) => user.user_type.is_admin() || user.is_user_admin,
        };
        if above {
            return Err(Problem::forbidden("this user is administered by someone with more rights"));
        }
        Ok((tenant, user))
    }

    /// Whether this actor may give the T2 role and make users of `kind`.
    pub fn may_appoint(&self, kind: UserType) -> bool {
        match self.role {
            Role::PlatformOperator | Role::SuperAdmin(_) => true,
            Role::ProviderAdmin(_) => kind != UserType::SuperAdmin,
            Role::UserAdministrator(_) => kind == UserType::Regular,
        }
    }

    /// Whether this actor may give or take the user-administrator role (T2).
    pub fn may_appoint_admins(&self) -> bool {
        !matches!(self.role, Role::UserAdministrator(_))
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
        Ok(Actor { role, acting: Acting { actor, origin } })
    }
}

async fn tenant_id(accounts: &Accounts, code: &str) -> Result<TenantId, Problem> {
    match accounts.tenant(code).await {
        Ok(t) => Ok(t.id),
        Err(AdminError::NotFound(_) | AdminError::Invalid(_)) => {
            Err(Problem::forbidden("the provider this client administers no longer exists"))
        }
        Err(e) => Err(e.into()),
    }
}
