//! What every HTTP surface shares — the people's pages (`web/`), the protocol (`oidc/`) and the
//! administration API — so that none of them imports another: the `Site` sub-state, cookies,
//! the session cookie, CSRF, page rendering and templates, the browser's language, security headers, the request's
//! origin, and the two ways parameters arrive (OAuth parameters, page queries and forms).

pub mod bearer;
pub mod cookies;
pub mod csrf;
pub mod form;
pub mod headers;
pub mod language;
pub mod origin;
pub mod page;
pub mod params;
pub mod server;
pub mod session;
pub mod site;
pub mod templates;

pub use form::{PageForm, PageQuery};
pub use origin::RequestOrigin;
pub use params::{OAuthParams, ParamError};
pub use site::Site;
