//! Where text may be cut: every bound on captured text (a value's budget, a panic's marker, how
//! far a scrubber rule reaches, a stream's assembled output) cuts at a character boundary.

/// The largest char boundary of `s` at or below `at` (`str::floor_char_boundary`, not yet
/// stable).
pub(crate) fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cut_never_splits_a_character() {
        // `°` is two bytes, at 2..4.
        assert_eq!(super::floor_char_boundary("18°C", 3), 2);
        assert_eq!(super::floor_char_boundary("18°C", 4), 4);
        assert_eq!(super::floor_char_boundary("18°C", 99), 5);
    }
}
