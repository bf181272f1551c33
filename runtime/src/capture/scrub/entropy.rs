//! How random a candidate secret looks: the measure gitleaks' rules and the forms' checks use.

/// Shannon entropy of `s`'s characters, in bits (as gitleaks computes it).
pub(super) fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::<char, usize>::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_default() += 1;
        n += 1;
    }
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn entropy_is_shannons() {
        assert_eq!(super::entropy("aaaa"), 0.0);
        assert!((super::entropy("ab") - 1.0).abs() < 1e-9);
    }
}
