use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    HelpContact,
}

/// Issue 17: the line a provider's administrators publish on the sign-in help page ("call the
/// front office, ext. 214"), shown only to someone who typed that provider's code.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(ColumnDef::new(Tenants::HelpContact).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Tenants::Table).drop_column(Tenants::HelpContact).to_owned()).await
    }
}
