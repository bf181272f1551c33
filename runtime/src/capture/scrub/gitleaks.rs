//! Token formats from gitleaks' default ruleset, run the way gitleaks runs them.
//!
//! `gitleaks.toml` is gitleaks' own `config/gitleaks.toml`, unmodified (v8.30.1, MIT licence:
//! `gitleaks.LICENSE`). Gitleaks is the most widely used secret scanner and its rules are
//! maintained against real token formats (222 of them in this release), so this file is
//! updated by copying a newer release's over it; the unit tests check that every rule compiles.
//!
//! Gitleaks' semantics, as in its `detect.go`: a rule runs only when one of its keywords occurs
//! in the text (case-insensitive; one Aho-Corasick pass finds them all, and a rule's regex is
//! compiled the first time it is needed); the secret is the rule's `secretGroup`, else its first
//! non-empty group, else the whole match; a rule with an `entropy` keeps only secrets whose Shannon
//! entropy is above it; a secret is dropped when a global or rule allowlist allows it (its regexes
//! on the secret, the match or the line; its stopwords in the secret). Path and commit allowlists
//! and path-only rules have no meaning for captured text and are left out.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;

use super::entropy::entropy;
use serde::Deserialize;

/// The ruleset, parsed once, on first use.
pub(super) static RULES: LazyLock<Ruleset> =
    LazyLock::new(|| Ruleset::parse(include_str!("gitleaks.toml")));

#[derive(Deserialize)]
struct Config {
    allowlist: AllowlistDef,
    rules: Vec<RuleDef>,
}

#[derive(Deserialize)]
struct RuleDef {
    #[cfg_attr(not(test), allow(dead_code))]
    id: String,
    regex: Option<String>,
    #[serde(rename = "secretGroup")]
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    allowlists: Vec<AllowlistDef>,
}

#[derive(Deserialize)]
struct AllowlistDef {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(rename = "regexTarget")]
    regex_target: Option<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    condition: Option<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
}

/// Gitleaks' rules, ready to run.
pub(super) struct Ruleset {
    rules: Vec<Rule>,
    /// Every rule's keywords; pattern `i` belongs to `keyword_rule[i]`.
    keywords: AhoCorasick,
    keyword_rule: Vec<usize>,
    /// Rules without keywords run on every text.
    always: Vec<usize>,
    global: Vec<Allowlist>,
}

struct Rule {
    #[cfg_attr(not(test), allow(dead_code))]
    id: String,
    source: String,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    allowlists: Vec<AllowlistDef>,
    compiled: OnceLock<Option<Compiled>>,
}

struct Compiled {
    regex: Regex,
    allowlists: Vec<Allowlist>,
}

/// What an allowlist's regexes are matched against.
#[derive(Clone, Copy)]
enum Target {
    Secret,
    Match,
    Line,
}

struct Allowlist {
    regexes: Vec<Regex>,
    target: Target,
    /// Lowercase.
    stopwords: Vec<String>,
    /// `condition = "AND"`: every kind of check present must allow.
    all: bool,
}

impl Allowlist {
    /// `None` for an allowlist that can never allow captured text (it needs a path or a commit
    /// and says `AND`), or allows nothing of it (paths and commits only).
    fn build(def: &AllowlistDef) -> Option<Self> {
        let all = def
            .condition
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("and"));
        let needs_location = !def.paths.is_empty() || !def.commits.is_empty();
        if (all && needs_location) || (def.regexes.is_empty() && def.stopwords.is_empty()) {
            return None;
        }
        Some(Self {
            regexes: def
                .regexes
                .iter()
                .filter_map(|r| Regex::new(r).ok())
                .collect(),
            target: match def.regex_target.as_deref() {
                Some("match") => Target::Match,
                Some("line") => Target::Line,
                _ => Target::Secret,
            },
            stopwords: def.stopwords.iter().map(|w| w.to_lowercase()).collect(),
            all,
        })
    }

    fn allows(&self, secret: &str, whole: &str, line: &str) -> bool {
        let target = match self.target {
            Target::Secret => secret,
            Target::Match => whole,
            Target::Line => line,
        };
        let by_regex = || !target.is_empty() && self.regexes.iter().any(|r| r.is_match(target));
        let by_stopword = || {
            let lower = secret.to_lowercase();
            !secret.is_empty() && self.stopwords.iter().any(|w| lower.contains(w.as_str()))
        };
        match self.all {
            true => {
                (self.regexes.is_empty() || by_regex())
                    && (self.stopwords.is_empty() || by_stopword())
            }
            false => by_regex() || by_stopword(),
        }
    }
}

impl Ruleset {
    fn parse(toml_text: &str) -> Self {
        let config: Config = toml::from_str(toml_text).expect("gitleaks.toml is a valid ruleset");
        let mut patterns = Vec::new();
        let mut keyword_rule = Vec::new();
        let mut always = Vec::new();
        let mut rules = Vec::new();
        for def in config.rules {
            // Path-only rules (a file name, no content pattern) do not apply to text.
            let Some(source) = def.regex else { continue };
            let index = rules.len();
            if def.keywords.is_empty() {
                always.push(index);
            }
            for keyword in def.keywords {
                patterns.push(keyword);
                keyword_rule.push(index);
            }
            rules.push(Rule {
                id: def.id,
                source,
                secret_group: def.secret_group,
                entropy: def.entropy.filter(|e| *e > 0.0),
                allowlists: def.allowlists,
                compiled: OnceLock::new(),
            });
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // A DFA: every captured text goes through it, and it is small (~600 keywords).
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("gitleaks' keywords build an automaton");
        Self {
            rules,
            keywords,
            keyword_rule,
            always,
            global: Allowlist::build(&config.allowlist).into_iter().collect(),
        }
    }

    /// The byte ranges of the secrets gitleaks finds in `text`, added to `found`.
    pub(super) fn find(&self, text: &str, found: &mut Vec<Range<usize>>) {
        let mut candidates: Vec<usize> = self
            .keywords
            .find_overlapping_iter(text)
            .map(|m| self.keyword_rule[m.pattern().as_usize()])
            .collect();
        if candidates.is_empty() && self.always.is_empty() {
            return;
        }
        candidates.extend_from_slice(&self.always);
        candidates.sort_unstable();
        candidates.dedup();
        for index in candidates {
            self.rules[index].find(text, &self.global, found);
        }
    }

    /// The ids of the rules whose regex the `regex` crate cannot compile (none, for the vendored
    /// file: a unit test says so).
    #[cfg(test)]
    fn uncompiled(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.compiled().is_none())
            .map(|r| r.id.as_str())
            .collect()
    }
}

impl Rule {
    fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| {
                let regex = Regex::new(&ascii_classes(&self.source)).ok()?;
                let allowlists = self
                    .allowlists
                    .iter()
                    .filter_map(Allowlist::build)
                    .collect();
                Some(Compiled { regex, allowlists })
            })
            .as_ref()
    }

    fn find(&self, text: &str, global: &[Allowlist], found: &mut Vec<Range<usize>>) {
        let Some(compiled) = self.compiled() else {
            return;
        };
        for caps in compiled.regex.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 is the match");
            let secret = match self.secret_group {
                Some(group) => caps.get(group),
                None => caps.iter().skip(1).flatten().find(|g| !g.is_empty()),
            }
            .unwrap_or(whole);
            let range = trim_newlines(text, secret.range());
            let secret = &text[range.clone()];
            if secret.is_empty() || self.entropy.is_some_and(|e| entropy(secret) <= e) {
                continue;
            }
            let line = line_of(text, whole.range());
            let allowed =
                |lists: &[Allowlist]| lists.iter().any(|a| a.allows(secret, whole.as_str(), line));
            if allowed(global) || allowed(&compiled.allowlists) {
                continue;
            }
            found.push(range);
        }
    }
}

/// `pattern` with Go's ASCII-only Perl classes (`\\w`, `\\d`, `\\s`, `\\b` and their negations),
/// which the `regex` crate reads as Unicode classes by default: the rules then match what they
/// match in gitleaks, and compile to automata a fraction of the size (`[\\w-]{50,1000}` over
/// Unicode words would not compile at all).
fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push(c);
                    break;
                };
                let class = match next {
                    'w' => Some("word"),
                    'd' => Some("digit"),
                    's' => Some("space"),
                    'W' => Some("^word"),
                    'D' => Some("^digit"),
                    'S' => Some("^space"),
                    _ => None,
                };
                match (class, in_class) {
                    (Some(class), true) => out.push_str(&format!("[:{class}:]")),
                    (Some(class), false) => out.push_str(&format!("[[:{class}:]]")),
                    (None, false) if next == 'b' || next == 'B' => {
                        out.push_str(&format!("(?-u:\\{next})"))
                    }
                    (None, _) => {
                        out.push(c);
                        out.push(next);
                    }
                }
            }
            '[' if in_class && chars.peek() == Some(&':') => {
                // A POSIX class inside a bracket: copied through its `:]`.
                out.push(c);
                for p in chars.by_ref() {
                    out.push(p);
                    if p == ']' {
                        break;
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` first in the class (after an optional `^`) is a literal.
                if chars.peek() == Some(&'^') {
                    out.extend(chars.next());
                }
                if chars.peek() == Some(&']') {
                    out.extend(chars.next());
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Gitleaks trims newlines off a match.
fn trim_newlines(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start_matches('\n').len());
    let end = range.end - (s.len() - s.trim_end_matches('\n').len());
    start..end.max(start)
}

/// The lines `range` lies on.
fn line_of(text: &str, range: Range<usize>) -> &str {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    &text[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_of_the_vendored_ruleset_compiles() {
        assert!(RULES.rules.len() >= 200, "{} rules", RULES.rules.len());
        assert_eq!(RULES.uncompiled(), Vec::<&str>::new());
    }

    #[test]
    fn go_perl_classes_become_ascii_classes() {
        assert_eq!(
            ascii_classes(r"\b[\w.-]{2}\s\d+[^\W]"),
            r"(?-u:\b)[[:word:].-]{2}[[:space:]][[:digit:]]+[^[:^word:]]"
        );
        assert_eq!(
            ascii_classes(r"[[:alnum:]]\\[nr]\x60"),
            r"[[:alnum:]]\\[nr]\x60"
        );
    }

    #[test]
    fn a_rule_finds_its_secret_group_and_respects_entropy_and_allowlists() {
        let text = "export GITLAB=glpat-Xy7Kq2Lm9Np4Rs6Tv8Wz";
        let mut found = Vec::new();
        RULES.find(text, &mut found);
        assert!(
            found
                .iter()
                .any(|r| &text[r.clone()] == "glpat-Xy7Kq2Lm9Np4Rs6Tv8Wz"),
            "{found:?}"
        );
        // The generic rule's stopwords and low entropy keep ordinary assignments.
        let mut found = Vec::new();
        RULES.find(
            "api_version = 2024-06-01 and token_type = bearer",
            &mut found,
        );
        assert_eq!(found, Vec::<Range<usize>>::new());
    }
}
