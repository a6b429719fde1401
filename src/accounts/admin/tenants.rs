//! T1, L3, L5: providers and their settings, created and changed by an administrator.

use super::{Admin, AdminError};
use crate::domain::tenant::{Tenant, TenantChanges};

/// L3: the wrong passwords a provider may allow before the lock (PRODUCT.md's default is 3).
pub const MAX_FAILED_ATTEMPTS: std::ops::RangeInclusive<u32> = 1..=10;

/// A provider's name: one line of 1-200 characters.
pub const NAME_MAX: usize = 200;

/// A provider's or an application's name, trimmed: one line of 1-200 characters.
pub(super) fn check_name(name: &str) -> Result<&str, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(AdminError::field("name", format!("1 to {NAME_MAX} characters on one line")));
    }
    Ok(name)
}

/// The sign-in help page's contact line: one short line.
pub const HELP_CONTACT_MAX: usize = 200;

/// Characters that break a line or change what the reader sees without being seen themselves
/// (zero-width and direction marks and overrides, line and paragraph separators): a contact
/// line shows exactly what it says.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

impl Admin<'_> {
    pub async fn create_tenant(&self, code: &str, name: &str) -> Result<Tenant, AdminError> {
        let code = super::directory::parse_code(code)?;
        let name = check_name(name)?;
        let tenant = self.store.create_tenant(&code, name, self.clock.now()).await?;
        self.audit(Some(&tenant), None, "", format!("tenant {code} created")).await?;
        Ok(tenant)
    }

    pub async fn update_tenant(&self, code: &str, changes: &TenantChanges) -> Result<Tenant, AdminError> {
        let code = super::directory::parse_code(code)?;
        if let Some(name) = &changes.name {
            check_name(name)?;
        }
        // L3 cannot be switched off by a limit nobody reaches.
        if changes.max_failed_attempts.is_some_and(|n| !MAX_FAILED_ATTEMPTS.contains(&n)) {
            return Err(AdminError::field(
                "max_failed_attempts",
                format!("must be between {} and {}", MAX_FAILED_ATTEMPTS.start(), MAX_FAILED_ATTEMPTS.end()),
            ));
        }
        // A provider may make the policy stricter than PRODUCT.md's default, never weaker (L5).
        if changes.min_password_length.is_some_and(|n| !(8..=64).contains(&n)) {
            return Err(AdminError::field("min_password_length", "must be between 8 and 64"));
        }
        if changes.password_history.is_some_and(|n| n > 24) {
            return Err(AdminError::field("password_history", "at most 24"));
        }
        if let Some(line) = &changes.help_contact {
            if line.trim().chars().count() > HELP_CONTACT_MAX {
                return Err(AdminError::field("help_contact", format!("at most {HELP_CONTACT_MAX} characters")));
            }
            if line.chars().any(|c| c.is_control() || invisible(c)) {
                return Err(AdminError::field("help_contact", "one line of plain text"));
            }
        }
        if let Some(tag) = &changes.default_language
            && !crate::i18n::Lang::published().any(|l| l.tag() == tag)
        {
            let known: Vec<_> = crate::i18n::Lang::published().map(crate::i18n::Lang::tag).collect();
            return Err(AdminError::field("default_language", format!("one of {}", known.join(", "))));
        }
        let tenant = self.store.update_tenant(&code, changes).await?;
        self.audit(Some(&tenant), None, "", format!("tenant {code} changed: {changes:?}")).await?;
        Ok(tenant)
    }
}
