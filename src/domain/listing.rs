//! Keyset paging for the lists that grow with a provider (issue 31): a page is read from a
//! position in the list's order, never by offset, so page 2,000 costs what page 1 costs and a
//! person added meanwhile neither repeats nor hides a row. The position travels as an opaque
//! cursor; a tampered one is refused, and a forged one is only another position in the same
//! provider's list (the provider is always the caller's, never the cursor's).

use std::fmt::Display;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// Where a page starts: the list's beginning, just after a key, or just before one (walking
/// back: "Previous").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position<K = String> {
    First,
    After(K),
    Before(K),
}

/// Longest cursor read: a 128-character login name in UTF-8, tagged and encoded, fits in 700.
pub const MAX_CURSOR: usize = 1024;

/// Largest page any list answers; `DEFAULT_LIMIT` when none is asked for.
pub const MAX_LIMIT: u64 = 200;
pub const DEFAULT_LIMIT: u64 = 50;

impl<K: Display + FromStr> Position<K> {
    /// The cursor of a position (`First` has none).
    pub fn cursor(&self) -> Option<String> {
        let (tag, key) = match self {
            Position::First => return None,
            Position::After(k) => ('a', k),
            Position::Before(k) => ('b', k),
        };
        Some(URL_SAFE_NO_PAD.encode(format!("{tag}{key}")))
    }

    /// A cursor this module wrote; `None` for anything else.
    pub fn from_cursor(cursor: &str) -> Option<Self> {
        if cursor.len() > MAX_CURSOR {
            return None;
        }
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let mut chars = text.chars();
        let tag = chars.next()?;
        let text = chars.as_str();
        // A key is a login name's folded form or a row id: never empty, never a control character
        // (PostgreSQL refuses NUL in text, which would make a forged cursor a 500).
        if text.is_empty() || text.chars().any(char::is_control) {
            return None;
        }
        let key = text.parse().ok()?;
        match tag {
            'a' => Some(Position::After(key)),
            'b' => Some(Position::Before(key)),
            _ => None,
        }
    }
}

/// One page of a list, in the list's order, with the cursors of its neighbours.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub entries: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Pass as `cursor` for the page before this one; absent on the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_cursor: Option<String>,
}

impl<T> Listing<T> {
    /// The page from rows a store read from `from`, walking away from it: at most `limit + 1`
    /// of them, the extra one only telling that more lie beyond.
    pub fn of<K: Display + FromStr>(mut rows: Vec<T>, from: &Position<K>, limit: u64, key: impl Fn(&T) -> K) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let backwards = matches!(from, Position::Before(_));
        if backwards {
            rows.reverse();
        }
        let first = rows.first().map(&key);
        let last = rows.last().map(&key);
        let (earlier, later) = match from {
            Position::First => (false, more),
            Position::After(_) => (true, more),
            Position::Before(_) => (more, true),
        };
        Listing {
            next_cursor: last.filter(|_| later).and_then(|k| Position::After(k).cursor()),
            previous_cursor: first.filter(|_| earlier).and_then(|k| Position::Before(k).cursor()),
            entries: rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Listing, Position};

    fn page(rows: &[&str], from: &Position, limit: u64) -> Listing<String> {
        Listing::of(rows.iter().map(|s| s.to_string()).collect(), from, limit, String::clone)
    }

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        for p in [Position::After("alice".to_string()), Position::Before("émile".into()), Position::After("42".into())]
        {
            assert_eq!(Position::from_cursor(&p.cursor().unwrap()), Some(p));
        }
        assert_eq!(Position::<i32>::from_cursor(&Position::After(42).cursor().unwrap()), Some(Position::After(42)));
        assert_eq!(Position::<i32>::from_cursor(&Position::After("x".to_string()).cursor().unwrap()), None);
        assert_eq!(Position::<String>::First.cursor(), None);
        let valid = Position::After("alice".to_string()).cursor().unwrap();
        for bad in ["", "!!!", "eA", "YQ", "=", &format!("{valid}="), &"a".repeat(2000)] {
            assert_eq!(Position::<String>::from_cursor(bad), None, "{bad}");
        }
        let nul = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, "aal\0ice");
        assert_eq!(Position::<String>::from_cursor(&nul), None);
    }

    #[test]
    fn a_page_knows_its_neighbours() {
        let first = page(&["a", "b", "c"], &Position::First, 2);
        assert_eq!(first.entries, ["a", "b"]);
        assert_eq!(first.previous_cursor, None);
        assert_eq!(
            Position::<String>::from_cursor(first.next_cursor.as_deref().unwrap()),
            Some(Position::After("b".into()))
        );

        let last = page(&["c"], &Position::After("b".into()), 2);
        assert_eq!(last.entries, ["c"]);
        assert_eq!(last.next_cursor, None);
        assert_eq!(
            Position::<String>::from_cursor(last.previous_cursor.as_deref().unwrap()),
            Some(Position::Before("c".into()))
        );

        // Walking back, the store reads newest-to-oldest from the position: the page is turned.
        let back = page(&["b", "a"], &Position::Before("c".into()), 2);
        assert_eq!(back.entries, ["a", "b"]);
        assert_eq!(back.previous_cursor, None);
        assert_eq!(
            Position::<String>::from_cursor(back.next_cursor.as_deref().unwrap()),
            Some(Position::After("b".into()))
        );

        let empty = page(&[], &Position::After("z".into()), 2);
        assert!(empty.entries.is_empty() && empty.next_cursor.is_none() && empty.previous_cursor.is_none());
    }
}
