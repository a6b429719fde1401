use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KeyModels {
    Table,
    Id,
    TenantId,
    Aaguid,
    Name,
    AttestationCa,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Attested,
}

/// Issue 28, F11: the security-key models a provider accepts for its administrators — each an
/// AAGUID, a name, and the maker's attestation CA (a public certificate) that proves a key is
/// that model; and, per key, whether its attestation was verified against such a CA.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(KeyModels::Table)
                .if_not_exists()
                .col(pk_auto(KeyModels::Id))
                .col(integer(KeyModels::TenantId))
                .col(string(KeyModels::Aaguid))
                .col(string(KeyModels::Name))
                .col(text(KeyModels::AttestationCa))
                .col(big_integer(KeyModels::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_key_models_tenant_aaguid")
                .table(KeyModels::Table)
                .col(KeyModels::TenantId)
                .col(KeyModels::Aaguid)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Passkeys::Table)
                .add_column(ColumnDef::new(Passkeys::Attested).boolean().not_null().default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Passkeys::Table).drop_column(Passkeys::Attested).to_owned()).await?;
        m.drop_table(Table::drop().table(KeyModels::Table).to_owned()).await
    }
}
