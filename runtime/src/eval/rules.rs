//! Built-in rule scorers, usable from Rust ([`no_errors`], [`max_cost`], …) and named by a spec
//! string (`max-cost=0.01`) from the command line ([`parse_rule`], [`RuleSpec`]).
//!
//! | spec | passes when |
//! |---|---|
//! | `no-errors` | no span failed |
//! | `finished` | the trace has a root span that did not fail, and an answer when content was captured |
//! | `expected` | the answer contains the trace's [`expected`](Trace::expected) value (not checked when none is set) |
//! | `output-contains=TEXT` | the answer contains `TEXT` |
//! | `output-matches=REGEX` | the answer matches `REGEX` (anywhere; anchor it with `^…$`) |
//! | `max-cost=USD` | the model calls cost at most `USD` dollars |
//! | `max-tokens=N` | the model calls used at most `N` tokens, input and output together |
//! | `max-latency=SECONDS` | the root span took at most `SECONDS` |
//! | `max-tool-errors=N` | at most `N` tool calls failed |
//!
//! The answer is [`Trace::output`]: the root's captured output, else what the eval harness saw.
//! A rule that needs it and finds none is [not checked](Verdict::not_checked) when content was
//! not captured (the root has no captured input), and fails, saying so, when it was (the run
//! gave no answer). Each rule's score is named by its
//! spec's name without the argument (`max-cost`), so the name stays a low-cardinality
//! `gen_ai.evaluation.name` and the argument is in the explanation; two rules of the same name
//! with different arguments share that name in a report's summary.

use std::fmt;
use std::str::FromStr;

use regex::Regex;
use serde_json::Value;

use crate::trace::{rule, Scorer, Verdict};
use crate::trace::{Trace, TraceSpan};

/// The rules' names, as specs spell them.
pub const RULE_NAMES: [&str; 9] = [
    "no-errors",
    "finished",
    "expected",
    "output-contains",
    "output-matches",
    "max-cost",
    "max-tokens",
    "max-latency",
    "max-tool-errors",
];

/// Passes when no span failed; a failure names the first failing span's path and error (and
/// how many others failed), and is about that span.
///
/// ```
/// use genai_tracing::eval::{rules, Scorer};
/// assert_eq!(rules::no_errors().name(), "no-errors");
/// ```
pub fn no_errors() -> impl Scorer {
    rule("no-errors", |trace: &Trace| {
        let mut errors = trace.errors();
        let Some(first) = errors.next() else {
            return Verdict::pass();
        };
        let others = errors.count();
        let mut why = format!("{}: {}", trace.path(first), error_of(first));
        if others > 0 {
            why.push_str(&format!(" (and {others} more failed spans)"));
        }
        Verdict::fail(why).on(first)
    })
}

/// Passes when the run finished: the trace has a root span (see [`Trace::root`]), the root did
/// not fail, and — when content was captured, i.e. the root has a captured input — the run has
/// an answer ([`Trace::output`]). A root that returns nothing (`()`) has no output even with
/// capture on: use [`no_errors`] for such runs.
///
/// ```
/// use genai_tracing::eval::{rules, Scorer, Trace};
/// let scored = futures_executor::block_on(rules::finished().score(&Trace::default())).unwrap();
/// assert_eq!(scored.explanation.as_deref(), Some("the trace has no root span"));
/// ```
pub fn finished() -> impl Scorer {
    rule("finished", |trace: &Trace| {
        let Some(root) = trace.root() else {
            return Verdict::fail("the trace has no root span");
        };
        if root.is_error() {
            return Verdict::fail(format!("{} failed: {}", root.name, error_of(root))).on(root);
        }
        if root.input().is_some() && trace.output().is_none() {
            return Verdict::fail(format!("{} has a captured input but no answer", root.name))
                .on(root);
        }
        Verdict::pass()
    })
}

/// Passes when the answer contains the trace's expected value ([`Trace::expected`], set by the
/// eval harness): a text as it is, any other value as its JSON (`391`, `true`). Case-sensitive.
/// A trace without an expected value is not checked ("no expected answer"), so the rule can run
/// over every trace.
///
/// ```
/// use genai_tracing::eval::{rules, Scorer, Trace};
/// let trace = Trace { expected: Some(391.into()), answer: Some("17 * 23 = 391".into()), ..Trace::default() };
/// assert!(futures_executor::block_on(rules::expected().score(&trace)).unwrap().passed());
/// ```
pub fn expected() -> impl Scorer {
    rule("expected", |trace: &Trace| {
        let Some(expected) = &trace.expected else {
            return Verdict::not_checked("no expected answer");
        };
        let wanted = match expected {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        match trace.output() {
            None => no_answer(
                trace,
                format!("expected {wanted:?}, but the run has no answer"),
            ),
            Some(answer) if answer.contains(&wanted) => Verdict::pass(),
            Some(answer) => Verdict::fail(format!(
                "expected {wanted:?} in the answer {:?}",
                shorten(&answer)
            )),
        }
    })
}

/// Passes when the answer contains `text` (case-sensitive).
///
/// ```
/// use genai_tracing::eval::{rules, Scorer, Trace};
/// let trace = Trace { answer: Some("17 * 23 = 392".into()), ..Trace::default() };
/// let verdict = futures_executor::block_on(rules::output_contains("391").score(&trace)).unwrap();
/// assert_eq!(verdict.outcome, genai_tracing::eval::Outcome::Fail);
/// ```
pub fn output_contains(text: impl Into<String>) -> impl Scorer {
    let text = text.into();
    rule("output-contains", move |trace: &Trace| {
        match trace.output() {
            None => no_answer(trace, format!("no answer to look for {text:?} in")),
            Some(answer) if answer.contains(&text) => Verdict::pass(),
            Some(answer) => Verdict::fail(format!("{text:?} is not in {:?}", shorten(&answer))),
        }
    })
}

/// Passes when `regex` matches the answer somewhere.
///
/// ```
/// use genai_tracing::eval::{rules, Scorer, Trace};
/// let answers_a_number = rules::output_matches(regex::Regex::new(r"\d+").unwrap());
/// let trace = Trace { answer: Some("391".into()), ..Trace::default() };
/// assert!(futures_executor::block_on(answers_a_number.score(&trace)).unwrap().passed());
/// ```
pub fn output_matches(regex: Regex) -> impl Scorer {
    rule("output-matches", move |trace: &Trace| {
        match trace.output() {
            None => no_answer(trace, format!("no answer to match /{regex}/ against")),
            Some(answer) if regex.is_match(&answer) => Verdict::pass(),
            Some(answer) => {
                Verdict::fail(format!("/{regex}/ does not match {:?}", shorten(&answer)))
            }
        }
    })
}

/// Passes when the model calls cost at most `usd` US dollars ([`Trace::cost_usd`]; unpriced
/// calls count as free).
///
/// ```
/// use genai_tracing::eval::{rules, Scorer, Trace};
/// let verdict = futures_executor::block_on(rules::max_cost(0.01).score(&Trace::default())).unwrap();
/// assert_eq!(verdict.explanation.as_deref(), Some("cost $0.000000, at most $0.010000"));
/// ```
pub fn max_cost(usd: f64) -> impl Scorer {
    rule("max-cost", move |trace: &Trace| {
        let cost = trace.cost_usd();
        Verdict::from(cost <= usd).because(format!("cost ${cost:.6}, at most ${usd:.6}"))
    })
}

/// Passes when the model calls used at most `tokens` tokens, input and output together
/// ([`Trace::tokens`]).
///
/// ```
/// use genai_tracing::eval::{rules, Scorer};
/// assert_eq!(rules::max_tokens(10_000).name(), "max-tokens");
/// ```
pub fn max_tokens(tokens: u64) -> impl Scorer {
    rule("max-tokens", move |trace: &Trace| {
        let (input, output) = trace.tokens();
        let used = input.saturating_add(output);
        Verdict::from(used <= tokens).because(format!(
            "{used} tokens ({input} in, {output} out), at most {tokens}"
        ))
    })
}

/// Passes when the root span took at most `seconds`; fails without a root.
///
/// ```
/// use genai_tracing::eval::{rules, Scorer};
/// assert_eq!(rules::max_latency(30.0).name(), "max-latency");
/// ```
pub fn max_latency(seconds: f64) -> impl Scorer {
    rule("max-latency", move |trace: &Trace| {
        let Some(root) = trace.root() else {
            return Verdict::fail("the trace has no root span");
        };
        let took = root.duration_secs();
        Verdict::from(took <= seconds)
            .because(format!(
                "{} took {took:.3} s, at most {seconds} s",
                root.name
            ))
            .on(root)
    })
}

/// Passes when at most `allowed` tool calls (`execute_tool` spans) failed; a failure names the
/// first failed call.
///
/// ```
/// use genai_tracing::eval::{rules, Scorer};
/// assert_eq!(rules::max_tool_errors(0).name(), "max-tool-errors");
/// ```
pub fn max_tool_errors(allowed: usize) -> impl Scorer {
    rule("max-tool-errors", move |trace: &Trace| {
        let failed: Vec<&TraceSpan> = trace
            .errors()
            .filter(|s| s.tool_name().is_some() || s.operation() == Some("execute_tool"))
            .collect();
        let mut why = format!("{} failed tool calls, at most {allowed}", failed.len());
        match failed.first() {
            Some(first) if failed.len() > allowed => {
                why.push_str(&format!(
                    "; first: {}: {}",
                    trace.path(first),
                    error_of(first)
                ));
                Verdict::fail(why).on(first)
            }
            _ => Verdict::pass().because(why),
        }
    })
}

/// A rule's verdict on a run without an answer: not checked when content was not captured (the
/// root has no captured input), else a fail saying `why`.
fn no_answer(trace: &Trace, why: String) -> Verdict {
    match trace.input() {
        None => Verdict::not_checked(format!("content not captured: {why}")),
        Some(_) => Verdict::fail(why),
    }
}

fn error_of(span: &TraceSpan) -> String {
    span.error().unwrap_or_else(|| "error".to_owned())
}

/// An answer cut to 200 characters for an explanation.
fn shorten(text: &str) -> String {
    crate::trace::cut(text, 200, "…")
}

/// A rule named by a spec string: `NAME` or `NAME=ARGUMENT` (see the [module](self)).
///
/// ```
/// use genai_tracing::eval::rules::RuleSpec;
/// let spec: RuleSpec = "max-cost=0.05".parse()?;
/// assert_eq!(spec, RuleSpec::MaxCost(0.05));
/// assert_eq!(spec.to_string(), "max-cost=0.05");
/// assert_eq!(spec.scorer().name(), "max-cost");
/// # Ok::<(), genai_tracing::eval::rules::RuleSpecError>(())
/// ```
#[derive(Debug, Clone)]
pub enum RuleSpec {
    /// `no-errors`: [`no_errors`].
    NoErrors,
    /// `finished`: [`finished`].
    Finished,
    /// `expected`: [`expected`].
    Expected,
    /// `output-contains=TEXT`: [`output_contains`].
    OutputContains(String),
    /// `output-matches=REGEX`: [`output_matches`].
    OutputMatches(Regex),
    /// `max-cost=USD`: [`max_cost`].
    MaxCost(f64),
    /// `max-tokens=N`: [`max_tokens`].
    MaxTokens(u64),
    /// `max-latency=SECONDS`: [`max_latency`].
    MaxLatency(f64),
    /// `max-tool-errors=N`: [`max_tool_errors`].
    MaxToolErrors(usize),
}

/// A rule spec that names no rule or gives it a bad argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleSpecError {
    /// The spec is empty.
    #[error("an empty rule: known rules are {}", RULE_NAMES.join(", "))]
    Empty,
    /// No rule has this name.
    #[error("unknown rule {name:?}: known rules are {}", RULE_NAMES.join(", "))]
    Unknown {
        /// The name given.
        name: String,
    },
    /// The rule needs an argument (`max-cost=USD`) and has none.
    #[error("the rule {rule} needs an argument: {rule}={what}")]
    MissingArgument {
        /// The rule.
        rule: &'static str,
        /// What the argument is, e.g. `USD`.
        what: &'static str,
    },
    /// The rule takes no argument and was given one.
    #[error("the rule {rule} takes no argument, got {argument:?}")]
    UnexpectedArgument {
        /// The rule.
        rule: &'static str,
        /// The argument given.
        argument: String,
    },
    /// The argument is not what the rule takes.
    #[error("the rule {rule}: {argument:?} is not {what}: {reason}")]
    BadArgument {
        /// The rule.
        rule: &'static str,
        /// The argument given.
        argument: String,
        /// What it should be, e.g. `a number of US dollars`.
        what: &'static str,
        /// Why it is not.
        reason: String,
    },
}

impl RuleSpec {
    /// The rule's name (the spec without its argument), also its scores' name.
    pub fn name(&self) -> &'static str {
        match self {
            RuleSpec::NoErrors => "no-errors",
            RuleSpec::Finished => "finished",
            RuleSpec::Expected => "expected",
            RuleSpec::OutputContains(_) => "output-contains",
            RuleSpec::OutputMatches(_) => "output-matches",
            RuleSpec::MaxCost(_) => "max-cost",
            RuleSpec::MaxTokens(_) => "max-tokens",
            RuleSpec::MaxLatency(_) => "max-latency",
            RuleSpec::MaxToolErrors(_) => "max-tool-errors",
        }
    }

    /// The scorer it names.
    pub fn scorer(&self) -> Box<dyn Scorer> {
        match self.clone() {
            RuleSpec::NoErrors => Box::new(no_errors()),
            RuleSpec::Finished => Box::new(finished()),
            RuleSpec::Expected => Box::new(expected()),
            RuleSpec::OutputContains(text) => Box::new(output_contains(text)),
            RuleSpec::OutputMatches(regex) => Box::new(output_matches(regex)),
            RuleSpec::MaxCost(usd) => Box::new(max_cost(usd)),
            RuleSpec::MaxTokens(n) => Box::new(max_tokens(n)),
            RuleSpec::MaxLatency(seconds) => Box::new(max_latency(seconds)),
            RuleSpec::MaxToolErrors(n) => Box::new(max_tool_errors(n)),
        }
    }
}

/// The scorer a spec names: `spec.parse::<RuleSpec>()` and [`RuleSpec::scorer`].
///
/// ```
/// let scorer = genai_tracing::eval::rules::parse_rule("output-matches=^\\d+$")?;
/// assert_eq!(scorer.name(), "output-matches");
/// let Err(err) = genai_tracing::eval::rules::parse_rule("max-cost") else { unreachable!() };
/// assert_eq!(err.to_string(), "the rule max-cost needs an argument: max-cost=USD");
/// # Ok::<(), genai_tracing::eval::rules::RuleSpecError>(())
/// ```
pub fn parse_rule(spec: &str) -> Result<Box<dyn Scorer>, RuleSpecError> {
    spec.parse::<RuleSpec>().map(|spec| spec.scorer())
}

impl FromStr for RuleSpec {
    type Err = RuleSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (name, argument) = match spec.split_once('=') {
            Some((name, argument)) => (name.trim(), Some(argument)),
            None => (spec.trim(), None),
        };
        let Some(rule) = RULE_NAMES.iter().copied().find(|known| *known == name) else {
            return Err(match name.is_empty() {
                true if argument.is_none() => RuleSpecError::Empty,
                _ => RuleSpecError::Unknown {
                    name: name.to_owned(),
                },
            });
        };
        let plain = |spec: RuleSpec| match argument {
            None => Ok(spec),
            Some(argument) => Err(RuleSpecError::UnexpectedArgument {
                rule,
                argument: argument.to_owned(),
            }),
        };
        let argument = |what: &'static str| match argument {
            Some(argument) if !argument.is_empty() => Ok(argument),
            _ => Err(RuleSpecError::MissingArgument { rule, what }),
        };
        let bad = |argument: &str, what: &'static str, reason: String| RuleSpecError::BadArgument {
            rule,
            argument: argument.to_owned(),
            what,
            reason,
        };
        let limit = |what: &'static str, meaning: &'static str| -> Result<f64, RuleSpecError> {
            let text = argument(what)?;
            let value: f64 = text
                .trim()
                .parse()
                .map_err(|e: std::num::ParseFloatError| bad(text, meaning, e.to_string()))?;
            match value.is_finite() && value >= 0.0 {
                true => Ok(value),
                false => Err(bad(text, meaning, "not a finite number ≥ 0".to_owned())),
            }
        };
        let count = |what: &'static str, meaning: &'static str| -> Result<u64, RuleSpecError> {
            let text = argument(what)?;
            text.trim()
                .parse()
                .map_err(|e: std::num::ParseIntError| bad(text, meaning, e.to_string()))
        };
        match rule {
            "no-errors" => plain(RuleSpec::NoErrors),
            "finished" => plain(RuleSpec::Finished),
            "expected" => plain(RuleSpec::Expected),
            "output-contains" => Ok(RuleSpec::OutputContains(argument("TEXT")?.to_owned())),
            "output-matches" => {
                let text = argument("REGEX")?;
                Regex::new(text)
                    .map(RuleSpec::OutputMatches)
                    .map_err(|e| bad(text, "a regular expression", one_line(&e.to_string())))
            }
            "max-cost" => limit("USD", "a number of US dollars").map(RuleSpec::MaxCost),
            "max-tokens" => count("N", "a whole number of tokens").map(RuleSpec::MaxTokens),
            "max-latency" => limit("SECONDS", "a number of seconds").map(RuleSpec::MaxLatency),
            "max-tool-errors" => count("N", "a whole number of failed tool calls")
                .map(|n| RuleSpec::MaxToolErrors(usize::try_from(n).unwrap_or(usize::MAX))),
            _ => unreachable!("every name of RULE_NAMES is matched"),
        }
    }
}

/// A (regex crate's multi-line) message on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for RuleSpec {
    /// The spec again: `name` or `name=argument`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            RuleSpec::NoErrors | RuleSpec::Finished | RuleSpec::Expected => f.write_str(name),
            RuleSpec::OutputContains(text) => write!(f, "{name}={text}"),
            RuleSpec::OutputMatches(regex) => write!(f, "{name}={regex}"),
            RuleSpec::MaxCost(x) | RuleSpec::MaxLatency(x) => write!(f, "{name}={x}"),
            RuleSpec::MaxTokens(n) => write!(f, "{name}={n}"),
            RuleSpec::MaxToolErrors(n) => write!(f, "{name}={n}"),
        }
    }
}

/// Specs are equal when they read the same (a regex by its pattern).
impl PartialEq for RuleSpec {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semconv as sc;
    use crate::trace::{Outcome, SpanStatus, TraceSpan};
    use serde_json::json;

    /// A span `id` under `parent`, from `start` to `end` milliseconds, with attributes.
    fn span(id: &str, parent: Option<&str>, name: &str, ms: (u64, u64), attrs: Value) -> TraceSpan {
        TraceSpan {
            span_id: id.to_owned(),
            parent_span_id: parent.map(str::to_owned),
            name: name.to_owned(),
            start_unix_nano: ms.0 * 1_000_000,
            end_unix_nano: ms.1 * 1_000_000,
            status: SpanStatus::Unset,
            attributes: attrs.as_object().cloned().unwrap_or_default(),
            events: Vec::new(),
            service: None,
        }
    }

    fn failed(mut span: TraceSpan, kind: &str, message: &str) -> TraceSpan {
        span.status = SpanStatus::Error(message.to_owned());
        span.attributes
            .insert(sc::ERROR_TYPE.to_owned(), json!(kind));
        span
    }

    /// The calculator run: an agent (2.5 s, asked "What is 17 * 23?", answering `answer`), two
    /// model calls (100→20 and 150→30 tokens, $0.001 each) and a calculator call.
    fn run(answer: &str) -> Trace {
        Trace {
            trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
            spans: vec![
                span(
                    "a",
                    None,
                    "invoke_agent calc",
                    (0, 2500),
                    json!({
                        sc::GEN_AI_OPERATION_NAME: "invoke_agent",
                        sc::INPUT_VALUE: "What is 17 * 23?",
                        sc::OUTPUT_VALUE: answer,
                    }),
                ),
                span(
                    "b",
                    Some("a"),
                    "chat m",
                    (10, 900),
                    json!({sc::GEN_AI_OPERATION_NAME: "chat", sc::GEN_AI_USAGE_INPUT_TOKENS: 100,
                           sc::GEN_AI_USAGE_OUTPUT_TOKENS: 20, sc::COST_USD: 0.001}),
                ),
                span(
                    "c",
                    Some("a"),
                    "execute_tool calculator",
                    (1000, 1001),
                    json!({sc::GEN_AI_OPERATION_NAME: "execute_tool", sc::GEN_AI_TOOL_NAME: "calculator"}),
                ),
                span(
                    "d",
                    Some("a"),
                    "chat m",
                    (1100, 2400),
                    json!({sc::GEN_AI_OPERATION_NAME: "chat", sc::GEN_AI_USAGE_INPUT_TOKENS: 150,
                           sc::GEN_AI_USAGE_OUTPUT_TOKENS: 30, sc::COST_USD: 0.001}),
                ),
            ],
            expected: None,
            answer: None,
        }
    }

    fn judge(scorer: &dyn Scorer, trace: &Trace) -> Verdict {
        futures_executor::block_on(scorer.score(trace)).expect("rules give a verdict")
    }

    fn judge_spec(spec: &str, trace: &Trace) -> Verdict {
        judge(&*parse_rule(spec).unwrap(), trace)
    }

    #[test]
    fn no_errors_names_the_first_failing_span() {
        let mut trace = run("391");
        assert!(judge_spec("no-errors", &trace).passed());
        trace.spans[2] = failed(trace.spans[2].clone(), "parse_error", "bad input");
        trace.spans[3] = failed(trace.spans[3].clone(), "timeout", "slow");
        let verdict = judge_spec("no-errors", &trace);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some(
                "invoke_agent calc > execute_tool calculator: parse_error: bad input \
                 (and 1 more failed spans)"
            )
        );
        assert_eq!(verdict.span_id.as_deref(), Some("c"));
    }

    #[test]
    fn finished_wants_a_root_that_did_not_fail_and_an_answer_when_captured() {
        assert!(judge_spec("finished", &run("391")).passed());
        let why = |trace: &Trace| judge_spec("finished", trace).explanation.unwrap();
        assert_eq!(why(&Trace::default()), "the trace has no root span");
        let mut trace = run("391");
        trace.spans[0] = failed(trace.spans[0].clone(), "cancelled", "");
        assert_eq!(why(&trace), "invoke_agent calc failed: cancelled");
        let mut trace = run("391");
        trace.spans[0].attributes.remove(sc::OUTPUT_VALUE);
        assert_eq!(
            why(&trace),
            "invoke_agent calc has a captured input but no answer"
        );
        trace.answer = Some("391".into());
        assert!(
            judge_spec("finished", &trace).passed(),
            "the harness saw it"
        );
        trace.answer = None;
        trace.spans[0].attributes.remove(sc::INPUT_VALUE);
        assert!(
            judge_spec("finished", &trace).passed(),
            "no content captured: no answer expected"
        );
    }

    #[test]
    fn expected_looks_for_the_expected_value_in_the_answer() {
        let mut trace = run("17 * 23 = 391.");
        let verdict = judge_spec("expected", &trace);
        assert_eq!(verdict.outcome, Outcome::NotChecked, "nothing to check");
        assert_eq!(verdict.value, None);
        assert_eq!(verdict.explanation.as_deref(), Some("no expected answer"));
        trace.expected = Some(json!(391));
        assert!(
            judge_spec("expected", &trace).passed(),
            "a number as its JSON"
        );
        trace.expected = Some(json!("391"));
        assert!(judge_spec("expected", &trace).passed());
        let mut wrong = run("17 * 23 = 392.");
        wrong.expected = Some(json!("391"));
        let verdict = judge_spec("expected", &wrong);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some(r#"expected "391" in the answer "17 * 23 = 392.""#)
        );
        wrong.spans[0].attributes.remove(sc::OUTPUT_VALUE);
        assert_eq!(
            judge_spec("expected", &wrong).explanation.as_deref(),
            Some(r#"expected "391", but the run has no answer"#)
        );
    }

    #[test]
    fn output_contains_and_matches() {
        let trace = run("17 * 23 = 391.");
        assert!(judge_spec("output-contains=391", &trace).passed());
        assert!(
            judge_spec("output-contains= = 391", &trace).passed(),
            "spaces kept"
        );
        let verdict = judge_spec("output-contains=392", &trace);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some(r#""392" is not in "17 * 23 = 391.""#)
        );
        assert!(judge_spec(r"output-matches=^17 \* 23 = \d+\.$", &trace).passed());
        assert!(judge_spec("output-matches=(?i)17 \\* 23 = 391", &trace).passed());
        let verdict = judge_spec(r"output-matches=^\d+$", &trace);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some(r#"/^\d+$/ does not match "17 * 23 = 391.""#)
        );
        let mut silent = run("");
        silent.spans[0].attributes.remove(sc::OUTPUT_VALUE);
        assert_eq!(
            judge_spec("output-contains=391", &silent).outcome,
            Outcome::Fail
        );
        assert_eq!(
            judge_spec("output-matches=.*", &silent).outcome,
            Outcome::Fail
        );
        let long = run(&"x".repeat(500));
        let why = judge_spec("output-contains=y", &long).explanation.unwrap();
        assert!(why.ends_with("…\""), "cut: {why}");
    }

    #[test]
    fn rules_that_need_the_answer_are_not_checked_when_content_was_not_captured() {
        let mut uncaptured = run("");
        uncaptured.spans[0].attributes.remove(sc::INPUT_VALUE);
        uncaptured.spans[0].attributes.remove(sc::OUTPUT_VALUE);
        uncaptured.expected = Some(json!("391"));
        for (spec, why) in [
            (
                "output-contains=391",
                r#"content not captured: no answer to look for "391" in"#,
            ),
            (
                r"output-matches=^\d+$",
                r"content not captured: no answer to match /^\d+$/ against",
            ),
            (
                "expected",
                r#"content not captured: expected "391", but the run has no answer"#,
            ),
        ] {
            let verdict = judge_spec(spec, &uncaptured);
            assert_eq!(verdict.outcome, Outcome::NotChecked, "{spec}");
            assert_eq!(verdict.value, None, "{spec}");
            assert_eq!(verdict.explanation.as_deref(), Some(why), "{spec}");
        }
        // The harness saw the answer: checked after all.
        uncaptured.answer = Some("17 * 23 = 392".into());
        assert_eq!(
            judge_spec("output-contains=391", &uncaptured).outcome,
            Outcome::Fail
        );
        assert!(judge_spec("output-contains=392", &uncaptured).passed());
        // Rules that need no content check every trace.
        uncaptured.answer = None;
        for spec in ["no-errors", "finished", "max-cost=1", "max-tokens=1000"] {
            assert!(judge_spec(spec, &uncaptured).passed(), "{spec}");
        }
    }

    #[test]
    fn max_cost_and_max_tokens_add_up_the_model_calls() {
        let trace = run("391");
        assert!(judge_spec("max-cost=0.002", &trace).passed());
        let verdict = judge_spec("max-cost=0.0015", &trace);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some("cost $0.002000, at most $0.001500")
        );
        assert!(judge_spec("max-tokens=300", &trace).passed());
        let verdict = judge_spec("max-tokens=299", &trace);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some("300 tokens (250 in, 50 out), at most 299")
        );
    }

    #[test]
    fn max_latency_is_the_roots_duration() {
        let trace = run("391");
        assert!(judge_spec("max-latency=2.5", &trace).passed());
        let verdict = judge_spec("max-latency=2", &trace);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some("invoke_agent calc took 2.500 s, at most 2 s")
        );
        assert_eq!(
            judge_spec("max-latency=100", &Trace::default()).outcome,
            Outcome::Fail
        );
    }

    #[test]
    fn max_tool_errors_counts_failed_tool_calls_only() {
        let mut trace = run("391");
        assert!(judge_spec("max-tool-errors=0", &trace).passed());
        trace.spans[1] = failed(trace.spans[1].clone(), "rate_limit", "429");
        assert!(
            judge_spec("max-tool-errors=0", &trace).passed(),
            "a model error"
        );
        trace.spans[2] = failed(trace.spans[2].clone(), "parse_error", "bad input");
        let verdict = judge_spec("max-tool-errors=0", &trace);
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.explanation.as_deref(),
            Some(
                "1 failed tool calls, at most 0; first: invoke_agent calc > \
                 execute_tool calculator: parse_error: bad input"
            )
        );
        assert_eq!(verdict.span_id.as_deref(), Some("c"));
        assert!(judge_spec("max-tool-errors=1", &trace).passed());
    }

    #[test]
    fn specs_read_back_as_they_were_written() {
        for spec in [
            "no-errors",
            "finished",
            "expected",
            "output-contains=a=b",
            r"output-matches=^\d+$",
            "max-cost=0.05",
            "max-tokens=1000",
            "max-latency=1.5",
            "max-tool-errors=2",
        ] {
            let parsed: RuleSpec = spec.parse().unwrap();
            assert_eq!(parsed.to_string(), spec);
            assert_eq!(parsed.scorer().name(), parsed.name());
            assert!(spec.starts_with(parsed.name()));
        }
    }

    #[test]
    fn every_spec_error_says_what_is_wrong() {
        let err = |spec: &str| parse_rule(spec).map(|_| ()).unwrap_err();
        let known = "known rules are no-errors, finished, expected, output-contains, \
                     output-matches, max-cost, max-tokens, max-latency, max-tool-errors";
        assert_eq!(err(""), RuleSpecError::Empty);
        assert_eq!(err("").to_string(), format!("an empty rule: {known}"));
        assert_eq!(
            err("no_errors"),
            RuleSpecError::Unknown {
                name: "no_errors".into()
            }
        );
        assert_eq!(
            err("no_errors").to_string(),
            format!("unknown rule \"no_errors\": {known}")
        );
        assert_eq!(err("=3"), RuleSpecError::Unknown { name: "".into() });
        for (spec, what) in [
            ("output-contains", "TEXT"),
            ("output-contains=", "TEXT"),
            ("output-matches", "REGEX"),
            ("max-cost", "USD"),
            ("max-tokens=", "N"),
            ("max-latency", "SECONDS"),
            ("max-tool-errors", "N"),
        ] {
            let rule = spec.trim_end_matches('=');
            assert_eq!(
                err(spec).to_string(),
                format!("the rule {rule} needs an argument: {rule}={what}")
            );
        }
        assert_eq!(
            err("no-errors=1").to_string(),
            "the rule no-errors takes no argument, got \"1\""
        );
        assert!(matches!(
            err("finished="),
            RuleSpecError::UnexpectedArgument { .. }
        ));
        assert!(matches!(
            err("expected=391"),
            RuleSpecError::UnexpectedArgument { .. }
        ));
        assert_eq!(
            err("max-cost=cheap").to_string(),
            "the rule max-cost: \"cheap\" is not a number of US dollars: invalid float literal"
        );
        assert_eq!(
            err("max-cost=-1").to_string(),
            "the rule max-cost: \"-1\" is not a number of US dollars: not a finite number ≥ 0"
        );
        assert!(matches!(
            err("max-latency=NaN"),
            RuleSpecError::BadArgument { .. }
        ));
        assert!(matches!(
            err("max-latency=inf"),
            RuleSpecError::BadArgument { .. }
        ));
        assert_eq!(
            err("max-tokens=1.5").to_string(),
            "the rule max-tokens: \"1.5\" is not a whole number of tokens: invalid digit found in string"
        );
        assert!(matches!(
            err("max-tool-errors=-1"),
            RuleSpecError::BadArgument { .. }
        ));
        let regex = err("output-matches=(").to_string();
        assert!(
            regex.starts_with("the rule output-matches: \"(\" is not a regular expression: "),
            "{regex}"
        );
        assert!(!regex.contains('\n'), "one line: {regex}");
    }
}
