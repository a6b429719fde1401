//! All integration tests in one binary: each extra test binary costs a link step (see kanidm's
//! DO_NOT_ADD_MORE_TESTS_HERE). Add modules here, not files under tests/.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

mod activity_export;
pub mod admin;
mod attacks;
mod browser;
pub mod cli;
pub mod console;
mod crash;
mod directory_paging;
mod factor_changes;
pub mod faults;
mod invitations;
mod key_models;
mod key_policy;
mod languages;
mod limits;
mod load;
mod lockout;
mod mailed;
mod maintenance;
mod metrics;
mod module_graph;
mod nodes;
pub mod oidc;
mod paging;
mod passkeys;
mod passwordless;
mod people;
mod properties;
mod recovery;
pub mod reset;
mod restarts;
mod scale_out;
mod second_factors;
mod sessions_ended;
mod sign_in;
mod smtp_sink;
mod store_contract;
mod store_reads;
mod tidy;
pub mod unified;
mod web;
