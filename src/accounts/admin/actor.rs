//! Who acts in an administrative call, and what they may touch (T2, A1): decided here for every
//! surface — the administration API finds out who is calling, the CLI is the operator — and
//! unit-tested without HTTP.

use crate::domain::activity::Origin;
use crate::domain::tenant::TenantId;
use crate::domain::user::{User, UserType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    PlatformOperator,
    /// The provider's top administrator: also administers its super and provider admins.
    SuperAdmin(TenantId),
    ProviderAdmin(TenantId),
    /// T2: the provider's users, not its settings or its administrators.
    UserAdministrator(TenantId),
}

/// Who, from where, as the activity record (L7) names them.
#[derive(Clone, Debug)]
pub struct Acting {
    /// `cli`, `lanyard`, `client:<client_id>`, `user:<provider code>/<login name>`.
    pub actor: String,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub role: Role,
    pub acting: Acting,
}

impl Actor {
    pub fn new(role: Role, acting: Acting) -> Self {
        Actor { role, acting }
    }

    /// The operator at a shell (`lanyard user …`): Lanyard-wide, recorded as `cli`. Only the
    /// CLI builds it (a tidy test holds it).
    pub fn operator() -> Self {
        Actor { role: Role::PlatformOperator, acting: Acting { actor: "cli".into(), origin: Origin::cli() } }
    }

    /// Lanyard itself: its console's registration at start, the demo's seed.
    pub fn lanyard() -> Self {
        let origin = Origin { ip: "lanyard".into(), user_agent: "lanyard".into() };
        Actor { role: Role::PlatformOperator, acting: Acting { actor: "lanyard".into(), origin } }
    }

    pub fn is_platform(&self) -> bool {
        self.role == Role::PlatformOperator
    }

    /// Platform operators only.
    pub fn platform(&self) -> Result<(), super::AdminError> {
        if self.is_platform() {
            Ok(())
        } else {
            Err(super::AdminError::Forbidden("only a platform operator may do this".into()))
        }
    }

    /// The one provider this actor sees; `None` for a platform operator, who sees them all.
    pub fn own_provider(&self) -> Option<TenantId> {
        match self.role {
            Role::PlatformOperator => None,
            Role::SuperAdmin(id) | Role::ProviderAdmin(id) | Role::UserAdministrator(id) => Some(id),
        }
    }

    /// Whether the provider exists for this actor at all.
    pub fn sees(&self, provider: TenantId) -> bool {
        match self.role {
            Role::PlatformOperator => true,
            Role::SuperAdmin(id) | Role::ProviderAdmin(id) | Role::UserAdministrator(id) => id == provider,
        }
    }

    /// F11: whether this actor may say which security-key models count as hardware for the
    /// provider's administrators — a trust decision above a provider administrator (who could
    /// otherwise list a CA of their own making, and so make any key `hwk`).
    pub fn may_list_key_models(&self) -> bool {
        matches!(self.role, Role::PlatformOperator | Role::SuperAdmin(_))
    }

    /// Whether this actor may change a provider's settings (policy, S1 switch).
    pub fn may_change_settings(&self) -> bool {
        !matches!(self.role, Role::UserAdministrator(_))
    }

    /// Nobody administers someone above them: only platform operators touch a platform
    /// operator, only super admins (and the platform) a super admin, and a user administrator no
    /// administrator at all. (Whether the user is in a provider this actor sees is `sees`.)
    pub fn may_administer(&self, user: &User) -> bool {
        let above = match self.role {
            Role::PlatformOperator => false,
            _ if user.is_platform_operator => true,
            Role::SuperAdmin(_) => false,
            Role::ProviderAdmin(_) => user.user_type == UserType::SuperAdmin,
            Role::UserAdministrator(_) => user.user_type.is_admin() || user.is_user_admin,
        };
        !above
    }

    /// Whether this actor may make users of `kind` (and give that type, T2).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::{LoginName, UserStatus};

    const HOME: TenantId = 1;
    const OTHER: TenantId = 2;

    fn actor(role: Role) -> Actor {
        Actor::new(role, Acting { actor: "test".into(), origin: Origin::cli() })
    }

    fn person(kind: UserType, user_admin: bool, operator: bool) -> User {
        User {
            id: 1,
            tenant_id: HOME,
            subject: "s".into(),
            login_name: LoginName::parse("target").unwrap(),
            user_type: kind,
            status: UserStatus::Active,
            is_user_admin: user_admin,
            is_platform_operator: operator,
            must_change_password: false,
            password_hash: None,
            failed_attempts: 0,
            self_reset_enabled: false,
            email: None,
            email_verified: false,
            created_at: 0,
            last_sign_in_at: None,
            mailed_epoch: 0,
            language: None,
        }
    }

    /// T2, A1: every role × every kind of target, in its own provider and another's.
    #[test]
    fn t2_a1_who_administers_whom() {
        let roles =
            [Role::PlatformOperator, Role::SuperAdmin(HOME), Role::ProviderAdmin(HOME), Role::UserAdministrator(HOME)];
        // (regular, user administrator, provider admin, super admin, platform operator)
        let expected = [
            [true, true, true, true, true],
            [true, true, true, true, false],
            [true, true, true, false, false],
            [true, false, false, false, false],
        ];
        let targets = [
            person(UserType::Regular, false, false),
            person(UserType::Regular, true, false),
            person(UserType::ProviderAdmin, false, false),
            person(UserType::SuperAdmin, false, false),
            person(UserType::Regular, false, true),
        ];
        for (role, row) in roles.iter().zip(expected) {
            let a = actor(role.clone());
            for (target, may) in targets.iter().zip(row) {
                assert_eq!(
                    a.may_administer(target),
                    may,
                    "{role:?} administers {:?}",
                    (target.user_type, target.is_user_admin, target.is_platform_operator)
                );
            }
            assert!(a.sees(HOME), "{role:?} sees its own provider");
            assert_eq!(a.sees(OTHER), *role == Role::PlatformOperator, "{role:?} and another provider");
        }
        for other in [Role::SuperAdmin(OTHER), Role::ProviderAdmin(OTHER), Role::UserAdministrator(OTHER)] {
            assert!(!actor(other.clone()).sees(HOME), "{other:?} does not see another provider");
        }
    }

    #[test]
    fn t2_who_appoints_what() {
        let kinds = [UserType::Regular, UserType::ProviderAdmin, UserType::SuperAdmin];
        let expected = [
            (Role::PlatformOperator, [true, true, true], true, true),
            (Role::SuperAdmin(HOME), [true, true, true], true, true),
            (Role::ProviderAdmin(HOME), [true, true, false], true, true),
            (Role::UserAdministrator(HOME), [true, false, false], false, false),
        ];
        for (role, appoints, admins, settings) in expected {
            let a = actor(role.clone());
            for (kind, may) in kinds.iter().zip(appoints) {
                assert_eq!(a.may_appoint(*kind), may, "{role:?} makes {kind:?}");
            }
            assert_eq!(a.may_appoint_admins(), admins, "{role:?} gives the T2 role");
            assert_eq!(a.may_change_settings(), settings, "{role:?} changes provider settings");
        }
    }

    #[test]
    fn the_operator_and_lanyard_are_named() {
        assert_eq!(Actor::operator().acting.actor, "cli");
        assert_eq!(Actor::lanyard().acting.actor, "lanyard");
        assert!(Actor::operator().is_platform());
    }
}
