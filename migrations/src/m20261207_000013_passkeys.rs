use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    Name,
    CredentialId,
    Credential,
    Aaguid,
    UserVerified,
    BackupEligible,
    BackupState,
    CreatedAt,
    LastUsedAt,
}

/// Issue 28, F9: a person's passkeys and security keys. `credential` is the library's record of
/// the public key and its sign counter (no secret: the private key never leaves the
/// authenticator); `credential_id` is unique across every account, as WebAuthn requires.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Passkeys::Table)
                .if_not_exists()
                .col(pk_auto(Passkeys::Id))
                .col(integer(Passkeys::UserId))
                .col(string(Passkeys::Name))
                .col(string(Passkeys::CredentialId))
                .col(text(Passkeys::Credential))
                .col(string_null(Passkeys::Aaguid))
                .col(boolean(Passkeys::UserVerified))
                .col(boolean(Passkeys::BackupEligible))
                .col(boolean(Passkeys::BackupState))
                .col(big_integer(Passkeys::CreatedAt))
                .col(big_integer_null(Passkeys::LastUsedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_passkeys_credential_id")
                .table(Passkeys::Table)
                .col(Passkeys::CredentialId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_passkeys_user").table(Passkeys::Table).col(Passkeys::UserId).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Passkeys::Table).to_owned()).await
    }
}
