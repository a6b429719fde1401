//! The `cursor` and `limit` every growing list takes (issue 31), read the same way everywhere.

use std::fmt::Display;
use std::str::FromStr;

use super::problem::Problem;
use crate::domain::listing::{DEFAULT_LIMIT, MAX_LIMIT, Position};

/// Where the asked-for page starts and how long it is; a cursor this API did not give, or a
/// limit outside 1–200, is the caller's mistake, named.
pub fn page_of<K: Display + FromStr>(cursor: Option<&str>, limit: Option<u64>) -> Result<(Position<K>, u64), Problem> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Problem::field("limit", format!("between 1 and {MAX_LIMIT}")));
    }
    let from = match cursor {
        None => Position::First,
        Some(c) => Position::from_cursor(c).ok_or_else(|| {
            Problem::field("cursor", "not a cursor of this list: pass next_cursor or previous_cursor as given")
        })?,
    };
    Ok((from, limit))
}
