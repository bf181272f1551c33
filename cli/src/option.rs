//! Option values that need more than clap's own parsers: `NAME=NUMBER` pairs
//! (`--score-below judge=0.5`, `--min-score arith=0.9`), rates from 0 to 1 and numbers of
//! checked cases (`--min-checked 3`).

/// Parses `NAME=NUMBER`; the name is what comes before the last `=`.
pub fn name_number(text: &str) -> Result<(String, f64), String> {
    let Some((name, number)) = text.rsplit_once('=') else {
        return Err(format!(
            "expected NAME=NUMBER, e.g. judge=0.5, got {text:?}"
        ));
    };
    if name.trim().is_empty() {
        return Err(format!("no name before '=' in {text:?}"));
    }
    Ok((name.trim().to_owned(), finite(number)?))
}

/// Parses a number from 0 to 1.
pub fn rate(text: &str) -> Result<f64, String> {
    let value = finite(text)?;
    match (0.0..=1.0).contains(&value) {
        true => Ok(value),
        false => Err(format!("{value} is not from 0 to 1")),
    }
}

/// Parses a number of checked cases: a whole number, at least 1 (a gate over no checked case
/// would always open).
pub fn checked_cases(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("0 is not at least 1: a gate over no checked case would always open".into()),
        Ok(cases) => Ok(cases),
        Err(e) => Err(format!("{text:?} is not a whole number of cases: {e}")),
    }
}

fn finite(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(format!("{text:?} is not a finite number")),
        Err(e) => Err(format!("{text:?} is not a number: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_number_pairs_and_rates() {
        assert_eq!(name_number("judge=0.5"), Ok(("judge".to_owned(), 0.5)));
        assert_eq!(name_number("a=b=1"), Ok(("a=b".to_owned(), 1.0)));
        assert!(name_number("judge").unwrap_err().contains("NAME=NUMBER"));
        assert!(name_number("=1").unwrap_err().contains("no name"));
        assert!(name_number("judge=high")
            .unwrap_err()
            .contains("not a number"));
        assert!(name_number("judge=inf").unwrap_err().contains("finite"));
        assert_eq!(rate("0.9"), Ok(0.9));
        assert_eq!(rate("1"), Ok(1.0));
        assert_eq!(rate("1.5"), Err("1.5 is not from 0 to 1".to_owned()));
        assert!(rate("-0.1").is_err());
        assert!(rate("NaN").is_err());
        assert_eq!(checked_cases("3"), Ok(3));
        assert_eq!(
            checked_cases("0"),
            Err("0 is not at least 1: a gate over no checked case would always open".to_owned())
        );
        assert_eq!(
            checked_cases("-1"),
            Err("\"-1\" is not a whole number of cases: invalid digit found in string".to_owned())
        );
        assert!(checked_cases("2.5")
            .unwrap_err()
            .contains("not a whole number"));
    }
}
