//! What the write paths share: the writing connection held with the process's write turn, the
//! values of a statement for the SQLite writer, and a row a `RETURNING` clause gave back.

use sea_orm::{DatabaseConnection, QueryResult, Value, Values};
use tokio::sync::MutexGuard;

use crate::store::StoreError;

/// The writing connection; on SQLite the process's write turn is held until this is dropped.
pub(crate) struct Writer<'a> {
    conn: &'a DatabaseConnection,
    _turn: Option<MutexGuard<'a, ()>>,
}

impl<'a> Writer<'a> {
    pub fn new(conn: &'a DatabaseConnection, turn: Option<MutexGuard<'a, ()>>) -> Self {
        Writer { conn, _turn: turn }
    }
}

impl std::ops::Deref for Writer<'_> {
    type Target = DatabaseConnection;

    fn deref(&self) -> &DatabaseConnection {
        self.conn
    }
}

/// A statement's values as SQLite takes them. Only the kinds Lanyard's queued statements use
/// are known; any other is refused rather than guessed at.
pub(crate) fn sqlite_params(values: Option<Values>) -> Result<Vec<rusqlite::types::Value>, StoreError> {
    use rusqlite::types::Value as S;
    let values = values.map(|v| v.0).unwrap_or_default();
    values
        .into_iter()
        .map(|value| {
            Ok(match value {
                Value::Bool(v) => v.map_or(S::Null, |b| S::Integer(i64::from(b))),
                Value::TinyInt(v) => v.map_or(S::Null, |n| S::Integer(i64::from(n))),
                Value::SmallInt(v) => v.map_or(S::Null, |n| S::Integer(i64::from(n))),
                Value::Int(v) => v.map_or(S::Null, |n| S::Integer(i64::from(n))),
                Value::BigInt(v) => v.map_or(S::Null, S::Integer),
                Value::TinyUnsigned(v) => v.map_or(S::Null, |n| S::Integer(i64::from(n))),
                Value::SmallUnsigned(v) => v.map_or(S::Null, |n| S::Integer(i64::from(n))),
                Value::Unsigned(v) => v.map_or(S::Null, |n| S::Integer(i64::from(n))),
                Value::Float(v) => v.map_or(S::Null, |n| S::Real(f64::from(n))),
                Value::Double(v) => v.map_or(S::Null, S::Real),
                Value::String(v) => v.map_or(S::Null, S::Text),
                Value::Char(v) => v.map_or(S::Null, |c| S::Text(c.to_string())),
                Value::Bytes(v) => v.map_or(S::Null, S::Blob),
                other => return Err(StoreError::Corrupt(format!("a queued write cannot carry {other:?}"))),
            })
        })
        .collect()
}

/// The first row of a write's `RETURNING`, from either path.
pub(crate) enum Row {
    Sql(QueryResult),
    Sqlite(Vec<(String, rusqlite::types::Value)>),
}

impl Row {
    pub fn get<T: Column>(&self, column: &str) -> Result<T, StoreError> {
        match self {
            Row::Sql(row) => T::from_sql(row, column),
            Row::Sqlite(values) => {
                let value = values
                    .iter()
                    .find(|(name, _)| name == column)
                    .map(|(_, v)| v)
                    .ok_or_else(|| StoreError::Corrupt(format!("no column {column} in the returned row")))?;
                T::from_sqlite(value).ok_or_else(|| {
                    StoreError::Corrupt(format!("column {column} holds {value:?}, not the kind expected"))
                })
            }
        }
    }
}

/// The kinds a returned column is read as.
pub(crate) trait Column: Sized {
    fn from_sql(row: &QueryResult, column: &str) -> Result<Self, StoreError>;
    fn from_sqlite(value: &rusqlite::types::Value) -> Option<Self>;
}

impl Column for i64 {
    fn from_sql(row: &QueryResult, column: &str) -> Result<Self, StoreError> {
        Ok(row.try_get("", column)?)
    }

    fn from_sqlite(value: &rusqlite::types::Value) -> Option<Self> {
        match value {
            rusqlite::types::Value::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

impl Column for i32 {
    fn from_sql(row: &QueryResult, column: &str) -> Result<Self, StoreError> {
        Ok(row.try_get("", column)?)
    }

    fn from_sqlite(value: &rusqlite::types::Value) -> Option<Self> {
        i64::from_sqlite(value).and_then(|n| i32::try_from(n).ok())
    }
}

impl Column for String {
    fn from_sql(row: &QueryResult, column: &str) -> Result<Self, StoreError> {
        Ok(row.try_get("", column)?)
    }

    fn from_sqlite(value: &rusqlite::types::Value) -> Option<Self> {
        match value {
            rusqlite::types::Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
