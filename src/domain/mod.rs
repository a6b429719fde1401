//! The PRODUCT.md vocabulary as plain values: providers (T1), users and their statuses (T2, T3),
//! applications (T4), the password policy (L5) and the activity record (L7). No storage, no
//! HTTP: `store/` persists these types and `accounts/` applies the rules to them, so both
//! import from here and neither imports the other's internals.

pub mod activity;
pub mod admin_grant;
pub mod application;
pub mod blocklist;
pub mod client_keys;
pub mod client_profile;
pub mod field_error;
pub mod invitation;
pub mod listing;
pub mod policy;
pub mod recovery;
pub mod second_factor;
pub mod service_status;
pub mod tenant;
pub mod user;
pub mod user_search;
