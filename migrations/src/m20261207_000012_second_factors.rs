use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    Id,
    UserId,
    Kind,
    Secret,
    LastStep,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    Digest,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    MfaPolicy,
}

/// Issue 27, F2–F4: a person's authenticator app (its secret sealed; `last_step` the newest
/// time step accepted, so a code works once), their recovery codes (keyed digests, each used
/// once), and each provider's second-factor policy.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SecondFactors::Table)
                .if_not_exists()
                .col(pk_auto(SecondFactors::Id))
                .col(integer(SecondFactors::UserId))
                .col(string(SecondFactors::Kind))
                .col(text(SecondFactors::Secret))
                .col(big_integer(SecondFactors::LastStep).default(0))
                .col(big_integer(SecondFactors::CreatedAt))
                .col(big_integer_null(SecondFactors::LastUsedAt))
                .to_owned(),
        )
        .await?;
        // F2: at most one authenticator app per person.
        m.create_index(
            Index::create()
                .name("idx_second_factors_user_kind")
                .table(SecondFactors::Table)
                .col(SecondFactors::UserId)
                .col(SecondFactors::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .if_not_exists()
                .col(pk_auto(RecoveryCodes::Id))
                .col(integer(RecoveryCodes::UserId))
                .col(string(RecoveryCodes::Digest))
                .col(big_integer(RecoveryCodes::CreatedAt))
                .col(big_integer_null(RecoveryCodes::UsedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recovery_codes_user_digest")
                .table(RecoveryCodes::Table)
                .col(RecoveryCodes::UserId)
                .col(RecoveryCodes::Digest)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(ColumnDef::new(Tenants::MfaPolicy).string().not_null().default("optional"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Tenants::Table).drop_column(Tenants::MfaPolicy).to_owned()).await?;
        m.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SecondFactors::Table).to_owned()).await
    }
}
