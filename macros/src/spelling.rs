//! "Did you mean": the closest of a macro's option names (or operation names) to one it does not
//! know, by edit distance.

/// The candidate closest to `word`, if one is close enough to be a slip of the keyboard: at most
/// one edit away for words of up to three letters, two for longer ones (a swap of two neighbouring
/// letters counts as one edit). Ties go to the earlier candidate.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let most = if word.chars().count() <= 3 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (distance(&word, c), *c))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbouring characters, each one edit.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: the distance between a[..i] and b[..j].
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, distance};

    #[test]
    fn edits_are_counted_one_each_a_swap_included() {
        assert_eq!(distance("name", "name"), 0);
        assert_eq!(distance("nmae", "name"), 1);
        assert_eq!(distance("nam", "name"), 1);
        assert_eq!(distance("nome", "name"), 1);
        assert_eq!(distance("skip_al", "skip_all"), 1);
        assert_eq!(distance("", "id"), 2);
        assert_eq!(distance("colour", "capture"), 4);
    }

    #[test]
    fn only_a_close_candidate_is_suggested() {
        let options = [
            "name",
            "description",
            "call_id",
            "skip",
            "skip_all",
            "skip_result",
        ];
        assert_eq!(closest("nmae", &options), Some("name"));
        assert_eq!(closest("Name", &options), Some("name"));
        assert_eq!(closest("descripton", &options), Some("description"));
        assert_eq!(closest("skip_results", &options), Some("skip_result"));
        assert_eq!(closest("skipall", &options), Some("skip_all"));
        assert_eq!(closest("colour", &options), None);
        // Short words: one edit at most (`id` is not `call_id`, nor `ip` `id`'s neighbour twice).
        assert_eq!(closest("ip", &["id"]), Some("id"));
        assert_eq!(closest("xy", &["id"]), None);
    }
}
