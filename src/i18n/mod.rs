//! G1: the languages people read Lanyard in. Texts live in Project Fluent catalogues under
//! `locales/<language>/*.ftl`, one folder per language, compiled into the binary; templates and
//! code name messages by id (`t("login-title")`, [`Msg`]) and never hold English themselves.
//! English is the reference: a message missing from another catalogue falls back to it.
//!
//! Architecture invariant: nothing here reads a request; which language a page is in is
//! decided by [`Preference::choose`] from what the caller passes in.

mod catalogue;
mod msg;
mod negotiate;
mod templates;

pub use catalogue::{Lang, Languages};
pub use msg::{Arg, Msg};
pub use negotiate::{Preference, from_accept_language, from_ui_locales};
pub use templates::install;
