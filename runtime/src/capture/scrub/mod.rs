//! Secrets out of captured text: every credential found is replaced by [`REDACTED`], the text
//! around it kept.
//!
//! Three families of rules find them, and their findings are merged:
//! - token formats: gitleaks' default ruleset, vendored (`gitleaks.rs`);
//! - names: values assigned to a sensitive name, whatever its spelling (`keys.rs`), which also
//!   decides which keys of structured values are redacted whole;
//! - forms: URL passwords, cookies, command-line passwords, authorization schemes, high-entropy
//!   values after key-like words, PEM keys, model providers' `sk-` keys (`forms.rs`).
//!
//! A secret split across the parts of one message is found in their joined text and redacted in
//! each part it touches ([`scrub_across`]).

mod entropy;
mod forms;
mod gitleaks;
mod keys;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::RwLock;

use regex::Regex;

use super::switch::Switch;

pub(crate) use keys::{is_sensitive_key, placeholder};

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// The environment variable that turns the built-in scrubbing off (`false`) or on (`true`, the
/// default); case-insensitive.
pub const SCRUB_ENV: &str = "GENAI_TRACING_SCRUB_SECRETS";

static SCRUBBING: Switch = Switch::new();

/// Turns the built-in secret scrubbing on or off for the whole process, overriding
/// [`SCRUB_ENV`]. It is on by default; turn it off only where captured content is known to hold
/// no credentials and every microsecond counts (see the README's "Content capture" for what it
/// costs). Sensitive keys of structured values, the rules of [`add_secret_rule`] and the
/// redaction hook apply either way.
///
/// ```
/// genai_tracing::capture::set_secret_scrubbing(false);
/// assert_eq!(genai_tracing::capture::to_json("token=abc123"), serde_json::json!("token=abc123"));
/// genai_tracing::capture::set_secret_scrubbing(true);
/// assert_eq!(genai_tracing::capture::to_json("token=abc123"), serde_json::json!("token=[REDACTED]"));
/// ```
pub fn set_secret_scrubbing(on: bool) {
    SCRUBBING.set(on);
}

/// Whether the built-in rules run: [`set_secret_scrubbing`], else [`SCRUB_ENV`] (read once; an
/// invalid value keeps scrubbing on and logs a warning).
fn scrubbing() -> bool {
    SCRUBBING.get(|| {
        let value = std::env::var_os(SCRUB_ENV);
        scrubbing_from(value.as_deref()).unwrap_or_else(|invalid| {
            tracing::warn!(target: "genai_tracing", "invalid {SCRUB_ENV} value {invalid:?}: expected true or false; secret scrubbing stays on");
            true
        })
    })
}

/// What a value of [`SCRUB_ENV`] says (unset: on), or the value when it says nothing.
fn scrubbing_from(value: Option<&std::ffi::OsStr>) -> Result<bool, String> {
    let Some(value) = value else {
        return Ok(true);
    };
    match value.to_str().map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(value.to_string_lossy().into_owned()),
    }
}

/// A pattern given to [`add_secret_rule`] that is not a valid regular expression.
#[derive(Debug, thiserror::Error)]
#[error("invalid secret rule {pattern:?}: {reason}")]
pub struct InvalidSecretRule {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

static OWN_RULES: RwLock<Vec<Regex>> = RwLock::new(Vec::new());

/// Adds a secret format of your own (a [`regex`](https://docs.rs/regex) pattern) to the built-in
/// ones: each match is redacted, or only its first capture group when it has one. Your rules run
/// even with [`set_secret_scrubbing`]`(false)`.
///
/// ```
/// genai_tracing::capture::add_secret_rule(r"\bACME-[0-9]{6}\b").unwrap();
/// assert_eq!(genai_tracing::capture::to_json("badge ACME-123456"), serde_json::json!("badge [REDACTED]"));
/// assert!(genai_tracing::capture::add_secret_rule("(unclosed").is_err());
/// ```
pub fn add_secret_rule(pattern: &str) -> Result<(), InvalidSecretRule> {
    let regex = Regex::new(pattern).map_err(|e| InvalidSecretRule {
        pattern: pattern.to_owned(),
        reason: e.to_string(),
    })?;
    OWN_RULES
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .push(regex);
    Ok(())
}

/// The byte ranges of the secrets in `text`, sorted and merged.
fn secrets(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    if scrubbing() {
        gitleaks::RULES.find(text, &mut found);
        keys::find(text, &mut found);
        forms::find(text, &mut found);
    }
    let own = OWN_RULES.read().unwrap_or_else(|p| p.into_inner());
    for rule in own.iter() {
        for caps in rule.captures_iter(text) {
            let secret = caps.get(1).or_else(|| caps.get(0)).expect("a match");
            found.push(secret.range());
        }
    }
    drop(own);
    merge(found)
}

/// Sorts ranges and merges the ones that overlap or touch.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_unstable_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Parses the rules and compiles the ones ordinary text wakes, once per process, on a thread of
/// its own, so that neither the first captured value nor the first exported batch usually waits
/// for it: installing a pipeline calls this.
pub(crate) fn warm_up() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let warm = || {
            let sample = "api_key=0 access token secret password auth credential Bearer 0 key=0";
            let _ = scrub(sample);
        };
        // Without a thread, the first use pays for it instead.
        let _ = std::thread::Builder::new()
            .name("genai-tracing-scrub".into())
            .spawn(warm);
    });
}

/// `text` with every recognisable credential replaced by [`REDACTED`].
pub(crate) fn scrub(text: &str) -> Cow<'_, str> {
    let found = secrets(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in found {
        out.push_str(&text[at..r.start]);
        out.push_str(REDACTED);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Redacts, in each of `parts`, its piece of any secret that the joined text of the parts holds
/// across a boundary between them (what is inside one part is left to [`scrub`]): a key split
/// over two text parts of one message loses both halves.
pub(crate) fn scrub_across(parts: &mut [&mut String]) {
    if parts.len() < 2 {
        return;
    }
    let mut starts = Vec::with_capacity(parts.len());
    let mut joined = String::new();
    for part in parts.iter() {
        starts.push(joined.len());
        joined.push_str(part);
    }
    let crossing: Vec<Range<usize>> = secrets(&joined)
        .into_iter()
        .filter(|r| starts.iter().any(|&s| r.start < s && s < r.end))
        .collect();
    if crossing.is_empty() {
        return;
    }
    // Back to front, so earlier offsets stay valid.
    for (i, part) in parts.iter_mut().enumerate().rev() {
        let (start, end) = (starts[i], starts[i] + part.len());
        for r in crossing.iter().rev() {
            let (from, to) = (r.start.max(start), r.end.min(end));
            if from < to {
                part.replace_range(from - start..to - start, REDACTED);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_text_are_replaced_whatever_their_form() {
        for (text, kept) in [
            ("password=hunter2&user=ann", "user=ann"),
            (r#"Req { api_key: "k-live-77f3e9a0c1", n: 1 }"#, "n: 1"),
            (
                r#"headers: [("Authorization", "Token 9f8e7d6c5b4a"), ("X-API-Key", "abc123def456")]"#,
                "headers",
            ),
            ("Authorization: Bearer abcdefgh12345678", ""),
            ("stripe sk_live_51Habcdefghijklmn", "stripe"),
            ("max_tokens: 512", "max_tokens: 512"),
        ] {
            let out = scrub(text);
            for secret in [
                "hunter2",
                "k-live-77f3e9a0c1",
                "9f8e7d6c5b4a",
                "abc123def456",
                "abcdefgh12345678",
                "sk_live_51H",
            ] {
                assert!(!out.contains(secret), "{secret} in {out}");
            }
            assert!(out.contains(kept), "{kept:?} lost from {out}");
        }
    }

    #[test]
    fn the_switch_reads_true_and_false_and_refuses_the_rest() {
        use std::ffi::OsStr;
        assert_eq!(scrubbing_from(None), Ok(true));
        assert_eq!(scrubbing_from(Some(OsStr::new(" FALSE "))), Ok(false));
        assert_eq!(scrubbing_from(Some(OsStr::new("True"))), Ok(true));
        assert_eq!(
            scrubbing_from(Some(OsStr::new("off"))),
            Err("off".to_owned())
        );
        assert_eq!(scrubbing_from(Some(OsStr::new(""))), Err(String::new()));
    }

    #[test]
    fn a_secret_split_across_parts_loses_both_halves() {
        let (mut a, mut b) = (
            "use the key ghp_16C7e42F292c69".to_owned(),
            "12E7710c838347Ae178B4a to push".to_owned(),
        );
        scrub_across(&mut [&mut a, &mut b]);
        assert_eq!(a, "use the key [REDACTED]");
        assert_eq!(b, "[REDACTED] to push");
        // Parts with no secret across them are left alone.
        let (mut c, mut d) = ("hello ".to_owned(), "world".to_owned());
        scrub_across(&mut [&mut c, &mut d]);
        assert_eq!((c.as_str(), d.as_str()), ("hello ", "world"));
    }
}
