use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StatusEvents {
    Table,
    Id,
    Kind,
    Message,
    Link,
    StartsAt,
    Until,
    EndedAt,
    CreatedAt,
    CreatedBy,
}

/// M1–M3: maintenance windows and incidents, shared by every node through the database. A row is
/// open until `ended_at` is set; the status page and its feed are the rows, newest first.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(StatusEvents::Table)
                .if_not_exists()
                .col(pk_auto(StatusEvents::Id))
                .col(string(StatusEvents::Kind))
                .col(string(StatusEvents::Message))
                .col(string_null(StatusEvents::Link))
                .col(big_integer(StatusEvents::StartsAt))
                .col(big_integer_null(StatusEvents::Until))
                .col(big_integer_null(StatusEvents::EndedAt))
                .col(big_integer(StatusEvents::CreatedAt))
                .col(string(StatusEvents::CreatedBy).default(""))
                .to_owned(),
        )
        .await?;
        // At most one open window and one open incident, whatever two operators do at once (a
        // partial unique index: the same statement on SQLite and PostgreSQL).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS idx_status_events_one_open ON status_events (kind) WHERE ended_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(StatusEvents::Table).to_owned()).await
    }
}
