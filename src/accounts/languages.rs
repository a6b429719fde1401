//! G1: the languages Lanyard knows of a person and their provider — the provider's default for
//! its pages, the person's last-used one — and which language a mail goes out in.

use super::{Accounts, Internal};
use crate::domain::tenant::{Tenant, TenantId};
use crate::domain::user::User;
use crate::i18n::Lang;

/// `accounts.languages()`: a view, like `interactions()`, so the rule lives in one file.
#[derive(Clone, Copy)]
pub struct Languages<'a>(&'a Accounts);

impl Accounts {
    pub fn languages(&self) -> Languages<'_> {
        Languages(self)
    }
}

impl Languages<'_> {
    /// The provider's default language (read with the provider, which the store caches).
    pub async fn of_provider(self, tenant: TenantId) -> Result<Option<Lang>, Internal> {
        let tenant = self.0.store.tenant_by_id(tenant).await?;
        Ok(tenant.and_then(|t| published(&t.default_language)))
    }

    /// Remembers the language a person signed in with; written only when it changed.
    pub async fn remember(self, user: &User, lang: Lang) -> Result<(), Internal> {
        if lang.is_pseudo() || user.language.as_deref() == Some(lang.tag()) {
            return Ok(());
        }
        self.0.store.set_user_language(user.id, lang.tag()).await?;
        Ok(())
    }
}

/// A mail goes out in the language of the page that caused it, else the person's last-used
/// language, else their provider's default, else English.
pub fn for_mail(page: Option<Lang>, user: Option<&User>, tenant: &Tenant) -> Lang {
    page.or_else(|| user.and_then(|u| u.language.as_deref()).and_then(published))
        .or_else(|| published(&tenant.default_language))
        .unwrap_or(Lang::ENGLISH)
}

fn published(tag: &str) -> Option<Lang> {
    Lang::from_tag(tag).filter(|l| !l.is_pseudo())
}
