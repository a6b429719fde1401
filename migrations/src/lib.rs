//! Lanyard's schema, written once with sea-query builders so SQLite and PostgreSQL share it.
//!
//! Times are `BIGINT` Unix seconds: portable, and the unit every token claim uses anyway.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_initial;
mod m20261124_000002_password_history;
mod m20261201_000003_attempts_in_flight;
mod m20261202_000004_activity_actor;
mod m20261202_000005_recovery_requests;
mod m20261202_000006_platform_operators;
mod m20261203_000007_last_sign_in;
mod m20261203_000008_invitations;
mod m20261204_000009_status_events;
mod m20261205_000010_help_contact;
mod m20261207_000011_mailed_epoch;
mod m20261207_000012_second_factors;
mod m20261207_000013_passkeys;
mod m20261207_000014_passkey_sign_in;
mod m20261207_000015_key_models;
mod m20261207_000016_languages;
mod m20261207_000017_list_indexes;
mod m20261207_000018_filter_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_initial::Migration),
            Box::new(m20261124_000002_password_history::Migration),
            Box::new(m20261201_000003_attempts_in_flight::Migration),
            Box::new(m20261202_000004_activity_actor::Migration),
            Box::new(m20261202_000005_recovery_requests::Migration),
            Box::new(m20261202_000006_platform_operators::Migration),
            Box::new(m20261203_000007_last_sign_in::Migration),
            Box::new(m20261203_000008_invitations::Migration),
            Box::new(m20261204_000009_status_events::Migration),
            Box::new(m20261205_000010_help_contact::Migration),
            Box::new(m20261207_000011_mailed_epoch::Migration),
            Box::new(m20261207_000012_second_factors::Migration),
            Box::new(m20261207_000013_passkeys::Migration),
            Box::new(m20261207_000014_passkey_sign_in::Migration),
            Box::new(m20261207_000015_key_models::Migration),
            Box::new(m20261207_000016_languages::Migration),
            Box::new(m20261207_000017_list_indexes::Migration),
            Box::new(m20261207_000018_filter_indexes::Migration),
        ]
    }
}
