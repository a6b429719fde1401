use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::tenant;
use super::{Store, StoreError};
use crate::domain::policy::{PasswordPolicy, PolicyMode};
use crate::domain::second_factor::MfaPolicy;
use crate::domain::tenant::{ProviderCode, Tenant, TenantChanges, TenantId};

pub(super) fn to_domain(m: tenant::Model) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: m.id,
        provider_code: ProviderCode::parse(&m.provider_code)
            .ok_or_else(|| StoreError::Corrupt(format!("provider code {:?}", m.provider_code)))?,
        name: m.name,
        active: m.active,
        password_policy: serde_json::from_str(&m.password_policy)
            .map_err(|e| StoreError::Corrupt(format!("password policy of tenant {}: {e}", m.id)))?,
        self_reset_enabled: m.self_reset_enabled,
        unified_login_enabled: m.unified_login_enabled,
        created_at: m.created_at,
        help_contact: m.help_contact,
        mfa_policy: MfaPolicy::parse(&m.mfa_policy)
            .ok_or_else(|| StoreError::Corrupt(format!("second-factor policy of tenant {}: {}", m.id, m.mfa_policy)))?,
        passkey_sign_in: m.passkey_sign_in,
        default_language: m.default_language,
    })
}

fn policy_json(p: &PasswordPolicy) -> String {
    serde_json::to_string(p).unwrap_or_else(|_| "{}".into())
}

impl Store {
    pub async fn create_tenant(&self, code: &ProviderCode, name: &str, now: i64) -> Result<Tenant, StoreError> {
        let model = tenant::ActiveModel {
            provider_code: Set(code.as_str().to_string()),
            name: Set(name.to_string()),
            active: Set(true),
            password_policy: Set(policy_json(&PasswordPolicy::default())),
            self_reset_enabled: Set(false),
            unified_login_enabled: Set(false),
            created_at: Set(now),
            help_contact: Set(None),
            mfa_policy: Set(MfaPolicy::default().as_str().into()),
            passkey_sign_in: Set(false),
            default_language: Set("en".into()),
            ..Default::default()
        }
        .insert(&*self.writer().await)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("tenant {code}")))?;
        to_domain(model)
    }

    /// Exact, case-sensitive match (T1).
    pub async fn tenant_by_code(&self, code: &ProviderCode) -> Result<Option<Tenant>, StoreError> {
        let found =
            tenant::Entity::find().filter(tenant::Column::ProviderCode.eq(code.as_str())).one(self.conn()).await?;
        found.map(to_domain).transpose()
    }

    /// Read on every userinfo and token request: served from the per-process cache when on.
    pub async fn tenant_by_id(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        if let Some(t) = self.tenants.get(&id) {
            return Ok(Some(t));
        }
        let found = tenant::Entity::find_by_id(id).one(self.conn()).await?.map(to_domain).transpose()?;
        if let Some(t) = &found {
            self.tenants.put(id, t);
        }
        Ok(found)
    }

    pub async fn update_tenant(&self, code: &ProviderCode, changes: &TenantChanges) -> Result<Tenant, StoreError> {
        let current = self.tenant_by_code(code).await?.ok_or_else(|| StoreError::NotFound(format!("tenant {code}")))?;
        let mut policy = current.password_policy.clone();
        if let Some(n) = changes.max_failed_attempts {
            policy.max_failed_attempts = n;
        }
        if let Some(n) = changes.min_password_length {
            policy.min_length = n;
        }
        if let Some(n) = changes.password_history {
            policy.history = n;
        }
        if let Some(nist) = changes.nist_mode {
            policy.mode = if nist { PolicyMode::Nist } else { PolicyMode::Composition };
        }
        let mut model = tenant::ActiveModel { id: Set(current.id), ..Default::default() };
        if let Some(name) = &changes.name {
            model.name = Set(name.trim().to_string());
        }
        if let Some(v) = changes.active {
            model.active = Set(v);
        }
        if let Some(v) = changes.self_reset_enabled {
            model.self_reset_enabled = Set(v);
        }
        if let Some(v) = changes.unified_login_enabled {
            model.unified_login_enabled = Set(v);
        }
        if let Some(line) = &changes.help_contact {
            let line = line.trim();
            model.help_contact = Set((!line.is_empty()).then(|| line.to_string()));
        }
        if let Some(p) = changes.mfa_policy {
            model.mfa_policy = Set(p.as_str().into());
        }
        if let Some(on) = changes.passkey_sign_in {
            model.passkey_sign_in = Set(on);
        }
        if let Some(tag) = &changes.default_language {
            model.default_language = Set(tag.clone());
        }
        model.password_policy = Set(policy_json(&policy));
        let updated = to_domain(model.update(&*self.writer().await).await?);
        self.tenants.forget(&current.id);
        updated
    }
}
