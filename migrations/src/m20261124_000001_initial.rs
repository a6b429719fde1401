use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    ProviderCode,
    Name,
    Active,
    PasswordPolicy,
    SelfResetEnabled,
    UnifiedLoginEnabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Subject,
    LoginName,
    LoginNameKey,
    UserType,
    Status,
    IsUserAdmin,
    MustChangePassword,
    PasswordHash,
    FailedAttempts,
    SelfResetEnabled,
    Email,
    EmailVerified,
    PasswordChangedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    ClientId,
    Name,
    SecretHash,
    Metadata,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ClientTenants {
    Table,
    ClientId,
    TenantId,
}

#[derive(DeriveIden)]
enum UserAppAccess {
    Table,
    UserId,
    ClientId,
    Status,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    TenantId,
    UserId,
    LoginName,
    Kind,
    Detail,
    LoginType,
    ClientId,
    Ip,
    UserAgent,
    At,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    Alg,
    PrivateKey,
    PublicJwk,
    CreatedAt,
    ActiveFrom,
    RetireAt,
}

#[derive(DeriveIden)]
enum Ephemeral {
    Table,
    Key,
    Value,
    Count,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(pk_auto(Tenants::Id))
                // T1: provider codes are case-sensitive, so the unique index is on the exact text.
                .col(string_uniq(Tenants::ProviderCode))
                .col(string(Tenants::Name))
                .col(boolean(Tenants::Active))
                .col(text(Tenants::PasswordPolicy))
                .col(boolean(Tenants::SelfResetEnabled))
                .col(boolean(Tenants::UnifiedLoginEnabled))
                .col(big_integer(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_auto(Users::Id))
                .col(integer(Users::TenantId))
                .col(string_uniq(Users::Subject))
                .col(string(Users::LoginName))
                .col(string(Users::LoginNameKey))
                .col(string(Users::UserType))
                .col(string(Users::Status))
                .col(boolean(Users::IsUserAdmin))
                .col(boolean(Users::MustChangePassword))
                .col(text_null(Users::PasswordHash))
                .col(integer(Users::FailedAttempts))
                .col(boolean(Users::SelfResetEnabled))
                .col(string_null(Users::Email))
                .col(boolean(Users::EmailVerified))
                .col(big_integer_null(Users::PasswordChangedAt))
                .col(big_integer(Users::CreatedAt))
                .col(big_integer(Users::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // T2: login names are unique per tenant compared case-insensitively; the key column holds
        // the folded form, the login_name column the spelling the user chose.
        m.create_index(
            Index::create()
                .name("users_tenant_login_key")
                .table(Users::Table)
                .col(Users::TenantId)
                .col(Users::LoginNameKey)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Clients::Table)
                .col(string(Clients::ClientId).primary_key())
                .col(string(Clients::Name))
                .col(string_null(Clients::SecretHash))
                .col(text(Clients::Metadata))
                .col(big_integer(Clients::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ClientTenants::Table)
                .col(string(ClientTenants::ClientId))
                .col(integer(ClientTenants::TenantId))
                .primary_key(Index::create().col(ClientTenants::ClientId).col(ClientTenants::TenantId))
                .foreign_key(
                    ForeignKey::create()
                        .from(ClientTenants::Table, ClientTenants::ClientId)
                        .to(Clients::Table, Clients::ClientId)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ClientTenants::Table, ClientTenants::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserAppAccess::Table)
                .col(integer(UserAppAccess::UserId))
                .col(string(UserAppAccess::ClientId))
                .col(string(UserAppAccess::Status))
                .primary_key(Index::create().col(UserAppAccess::UserId).col(UserAppAccess::ClientId))
                .foreign_key(
                    ForeignKey::create()
                        .from(UserAppAccess::Table, UserAppAccess::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserAppAccess::Table, UserAppAccess::ClientId)
                        .to(Clients::Table, Clients::ClientId)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Activity::Table)
                .col(pk_auto(Activity::Id))
                .col(integer_null(Activity::TenantId))
                .col(integer_null(Activity::UserId))
                .col(string(Activity::LoginName))
                .col(string(Activity::Kind))
                .col(text(Activity::Detail))
                .col(string(Activity::LoginType))
                .col(string_null(Activity::ClientId))
                .col(string(Activity::Ip))
                .col(text(Activity::UserAgent))
                .col(big_integer(Activity::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("activity_tenant_user_at")
                .table(Activity::Table)
                .col(Activity::TenantId)
                .col(Activity::UserId)
                .col(Activity::At)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SigningKeys::Table)
                .col(string(SigningKeys::Kid).primary_key())
                .col(string(SigningKeys::Alg))
                // Encrypted with the key-encryption key from configuration; never stored plain.
                .col(text(SigningKeys::PrivateKey))
                .col(text(SigningKeys::PublicJwk))
                .col(big_integer(SigningKeys::CreatedAt))
                .col(big_integer(SigningKeys::ActiveFrom))
                .col(big_integer_null(SigningKeys::RetireAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Ephemeral::Table)
                .col(string(Ephemeral::Key).primary_key())
                .col(text(Ephemeral::Value))
                .col(big_integer(Ephemeral::Count))
                .col(big_integer(Ephemeral::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ephemeral_expires_at").table(Ephemeral::Table).col(Ephemeral::ExpiresAt).to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Ephemeral::Table.into_iden(),
            SigningKeys::Table.into_iden(),
            Activity::Table.into_iden(),
            UserAppAccess::Table.into_iden(),
            ClientTenants::Table.into_iden(),
            Clients::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
