//! Lanyard: an OpenID Connect / OAuth 2.0 identity provider. See ARCHITECTURE.md for the map.

pub mod accounts;
pub mod admin;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo_apps;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod oidc;
pub mod secret;
pub mod store;
pub mod telemetry;
pub mod web;
