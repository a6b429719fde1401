//! L5 (and NIST SP 800-63B §5.1.1.2): refuse passwords that attackers try first. The list ships
//! in the binary, sorted, so a lookup is a binary search over borrowed slices: no allocation
//! per entry, ~0.6 MiB once.

use std::sync::LazyLock;

const LIST: &str = include_str!("../../assets/common-passwords.txt");

static SORTED: LazyLock<Vec<&'static str>> = LazyLock::new(|| LIST.lines().collect());

fn listed(candidate: &str) -> bool {
    candidate.len() >= 4 && SORTED.binary_search(&candidate).is_ok()
}

/// True for a listed password, ignoring case and the digits and symbols people tack on at the
/// end ("Password123!" is "password").
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ');
    listed(&lower) || listed(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(
            SORTED.windows(2).all(|w| w[0] < w[1]),
            "assets/common-passwords.txt must be LC_ALL=C sorted and unique"
        );
        assert!(SORTED.len() > 30_000);
    }

    #[test]
    fn l5_common_passwords_and_decorated_ones_are_caught() {
        for p in ["password", "Password123!", "QWERTY", "iloveyou!!", "Welcome-2026!", "letmein1"] {
            assert!(is_common(p), "{p}");
        }
        for p in ["Correct-Horse9", "Lanyard-Demo-1", "Brand-New-Pass1", "Start-Here-2026!"] {
            assert!(!is_common(p), "{p}");
        }
    }
}
