//! Substring search by LIKE, the searched text taken literally.

use sea_orm::sea_query::LikeExpr;

/// `text` as a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally.
pub(super) fn anywhere(text: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}
