//! sea-orm entities: one file per table, plain rows; domain types live in `accounts/`.

pub mod activity;
pub mod client;
pub mod client_tenant;
pub mod invitation;
pub mod key_model;
pub mod passkey;
pub mod password_history;
pub mod recovery_code;
pub mod recovery_request;
pub mod second_factor;
pub mod signing_key;
pub mod tenant;
pub mod user;
pub mod user_app_access;
