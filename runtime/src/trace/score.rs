//! A score as recorded on the span it judges: a `gen_ai.evaluation.result` event with
//! `gen_ai.evaluation.name`, `.score.value`, `.score.label`, `.explanation` (and `error.type` when
//! the scorer failed), plus this crate's `genai_tracing.evaluation.outcome`; read back from a
//! trace or written as the event's attributes. Its [`Outcome`] is pass, fail or not checked.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::semconv as sc;

/// The label of a passing score.
pub const PASS: &str = "pass";
/// The label of a failing score.
pub const FAIL: &str = "fail";
/// The label of a score whose scorer had nothing to check (content not captured, no expected
/// answer, no call of the tool it checks).
pub const NOT_CHECKED: &str = "not_checked";

/// What a score says of a trace: it passed, it failed, or the scorer had nothing to check.
///
/// A not-checked score is neither a pass nor a fail: pass rates are over checked cases only, and
/// the release gate requires checked cases (see `eval::Gate`, with the `eval` feature).
///
/// ```
/// use genai_tracing::eval::Outcome;
/// assert_eq!(Outcome::NotChecked.label(), "not_checked");
/// assert_eq!(Outcome::NotChecked.to_string(), "not checked");
/// assert!(!Outcome::NotChecked.is_checked());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The trace meets what the scorer checks.
    Pass,
    /// It does not (or the scorer itself failed: no verdict counts as a fail).
    Fail,
    /// The scorer had nothing to check.
    NotChecked,
}

impl Outcome {
    /// The label recorded for it (`gen_ai.evaluation.score.label`, `genai_tracing.evaluation.outcome`):
    /// `pass`, `fail` or `not_checked`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => PASS,
            Outcome::Fail => FAIL,
            Outcome::NotChecked => NOT_CHECKED,
        }
    }

    /// Whether something was checked: a pass or a fail.
    pub fn is_checked(self) -> bool {
        self != Outcome::NotChecked
    }

    /// What several scores of one trace come to: a fail if any failed, else a pass if any
    /// passed, else not checked; `None` when there are none.
    ///
    /// ```
    /// use genai_tracing::eval::Outcome::{self, *};
    /// assert_eq!(Outcome::of([Pass, NotChecked]), Some(Pass));
    /// assert_eq!(Outcome::of([Pass, Fail]), Some(Fail));
    /// assert_eq!(Outcome::of([NotChecked, NotChecked]), Some(NotChecked));
    /// assert_eq!(Outcome::of([]), None);
    /// ```
    pub fn of(outcomes: impl IntoIterator<Item = Outcome>) -> Option<Outcome> {
        outcomes.into_iter().fold(None, |so_far, outcome| {
            Some(match (so_far, outcome) {
                (Some(Outcome::Fail), _) | (_, Outcome::Fail) => Outcome::Fail,
                (Some(Outcome::Pass), _) | (_, Outcome::Pass) => Outcome::Pass,
                _ => Outcome::NotChecked,
            })
        })
    }
}

/// `pass`, `fail` or `not checked`.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::NotChecked => "not checked",
            checked => checked.label(),
        })
    }
}

/// One evaluation result: `gen_ai.evaluation.name`, `.score.value`, `.score.label`,
/// `.explanation`, on the span it judges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The scorer's name (`gen_ai.evaluation.name`).
    pub name: String,
    /// The score (`gen_ai.evaluation.score.value`), 0 to 1 for this crate's scorers; none when
    /// nothing was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// `pass`, `fail` or `not_checked` (`gen_ai.evaluation.score.label`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Why (`gen_ai.evaluation.explanation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Set when the scorer itself failed (`error.type`): no verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// The span judged (its id), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_id: Option<String>,
}

impl Score {
    /// What it says: a scorer that failed itself (`error_type`) fails; else by its label —
    /// `pass`, `not_checked`, none (passes) or any other (fails).
    ///
    /// ```
    /// use genai_tracing::eval::{Outcome, Score};
    /// let score = Score { name: "arithmetic".into(), value: None, label: Some("not_checked".into()),
    ///     explanation: Some("content not captured".into()), error_type: None, span_id: None };
    /// assert_eq!(score.outcome(), Outcome::NotChecked);
    /// assert!(!score.passed() && !score.failed());
    /// assert_eq!(score.to_string(), "arithmetic (not checked): content not captured");
    /// ```
    pub fn outcome(&self) -> Outcome {
        if self.error_type.is_some() {
            return Outcome::Fail;
        }
        match self.label.as_deref() {
            None | Some(PASS) => Outcome::Pass,
            Some(NOT_CHECKED) => Outcome::NotChecked,
            Some(_) => Outcome::Fail,
        }
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.outcome() == Outcome::Pass
    }

    /// Whether it failed (a scorer that failed itself included).
    pub fn failed(&self) -> bool {
        self.outcome() == Outcome::Fail
    }

    /// Whether its scorer checked something: it passed or failed.
    pub fn checked(&self) -> bool {
        self.outcome().is_checked()
    }

    /// The event attributes, in semconv names.
    pub(crate) fn to_attributes(&self) -> Vec<opentelemetry::KeyValue> {
        use opentelemetry::KeyValue;
        let mut kvs = vec![KeyValue::new(sc::GEN_AI_EVALUATION_NAME, self.name.clone())];
        if let Some(value) = self.value {
            kvs.push(KeyValue::new(sc::GEN_AI_EVALUATION_SCORE_VALUE, value));
        }
        if let Some(label) = &self.label {
            kvs.push(KeyValue::new(
                sc::GEN_AI_EVALUATION_SCORE_LABEL,
                label.clone(),
            ));
        }
        if let Some(explanation) = &self.explanation {
            kvs.push(KeyValue::new(
                sc::GEN_AI_EVALUATION_EXPLANATION,
                explanation.clone(),
            ));
        }
        if let Some(error_type) = &self.error_type {
            kvs.push(KeyValue::new(sc::ERROR_TYPE, error_type.clone()));
        }
        kvs.push(KeyValue::new(
            sc::EVALUATION_OUTCOME,
            self.outcome().label(),
        ));
        kvs
    }

    /// Reads a `gen_ai.evaluation.result` event on span `span_id`.
    pub(crate) fn from_event(attributes: &Map<String, Value>, span_id: &str) -> Self {
        let text = |name: &str| {
            attributes
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        Self {
            name: text(sc::GEN_AI_EVALUATION_NAME).unwrap_or_default(),
            value: attributes
                .get(sc::GEN_AI_EVALUATION_SCORE_VALUE)
                .and_then(|v| v.as_f64()),
            // The label, else this crate's outcome (a score relabelled on the way, say).
            label: text(sc::GEN_AI_EVALUATION_SCORE_LABEL).or_else(|| text(sc::EVALUATION_OUTCOME)),
            explanation: text(sc::GEN_AI_EVALUATION_EXPLANATION),
            error_type: text(sc::ERROR_TYPE),
            span_id: Some(span_id.to_owned()),
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(value) = self.value {
            write!(f, " = {value}")?;
        }
        match self.label.as_deref() {
            Some(NOT_CHECKED) => write!(f, " ({})", Outcome::NotChecked)?,
            Some(label) => write!(f, " ({label})")?,
            None => {}
        }
        if let Some(error_type) = &self.error_type {
            write!(f, " error {error_type}")?;
        }
        if let Some(explanation) = &self.explanation {
            write!(f, ": {explanation}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(label: Option<&str>, value: Option<f64>, error_type: Option<&str>) -> Score {
        Score {
            name: "arithmetic".into(),
            value,
            label: label.map(Into::into),
            explanation: Some("why".into()),
            error_type: error_type.map(Into::into),
            span_id: None,
        }
    }

    #[test]
    fn the_outcome_is_read_from_the_label_and_a_scorer_error_fails() {
        let outcome = |label, error| score(label, None, error).outcome();
        assert_eq!(outcome(Some(PASS), None), Outcome::Pass);
        assert_eq!(outcome(Some(FAIL), None), Outcome::Fail);
        assert_eq!(outcome(Some(NOT_CHECKED), None), Outcome::NotChecked);
        assert_eq!(outcome(None, None), Outcome::Pass, "unlabelled, no error");
        assert_eq!(outcome(Some("relevant"), None), Outcome::Fail, "unknown");
        assert_eq!(outcome(None, Some("timeout")), Outcome::Fail);
        assert_eq!(outcome(Some(NOT_CHECKED), Some("timeout")), Outcome::Fail);
        let unchecked = score(Some(NOT_CHECKED), None, None);
        assert!(!unchecked.passed() && !unchecked.failed() && !unchecked.checked());
    }

    /// The event attributes as `from_event` reads them.
    fn event(score: &Score) -> Map<String, Value> {
        score
            .to_attributes()
            .into_iter()
            .map(|kv| {
                let value = match kv.value {
                    opentelemetry::Value::F64(v) => Value::from(v),
                    other => Value::from(other.to_string()),
                };
                (kv.key.to_string(), value)
            })
            .collect()
    }

    #[test]
    fn every_score_exports_its_outcome_and_reads_back_the_same() {
        let unchecked = score(Some(NOT_CHECKED), None, None);
        let attributes = event(&unchecked);
        assert_eq!(attributes[sc::EVALUATION_OUTCOME], "not_checked");
        assert_eq!(attributes[sc::GEN_AI_EVALUATION_SCORE_LABEL], "not_checked");
        assert!(
            !attributes.contains_key(sc::GEN_AI_EVALUATION_SCORE_VALUE),
            "nothing checked, no value"
        );
        let read = Score::from_event(&attributes, "b7ad6b7169203331");
        assert_eq!(read.outcome(), Outcome::NotChecked);
        assert_eq!(read.to_string(), "arithmetic (not checked): why");

        let failed = score(Some(FAIL), Some(0.0), None);
        assert_eq!(event(&failed)[sc::EVALUATION_OUTCOME], "fail");
        let broken = score(None, None, Some("judge_error"));
        assert_eq!(event(&broken)[sc::EVALUATION_OUTCOME], "fail", "no verdict");
        assert_eq!(
            event(&score(Some(PASS), Some(1.0), None))[sc::EVALUATION_OUTCOME],
            "pass"
        );

        // Only the outcome recorded (a label dropped on the way): still not checked.
        let mut relabelled = attributes.clone();
        relabelled.remove(sc::GEN_AI_EVALUATION_SCORE_LABEL);
        assert_eq!(
            Score::from_event(&relabelled, "b7ad6b7169203331").outcome(),
            Outcome::NotChecked
        );
    }

    #[test]
    fn outcomes_serialize_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Outcome::NotChecked).unwrap(),
            "\"not_checked\""
        );
        assert_eq!(
            serde_json::from_str::<Outcome>("\"pass\"").unwrap(),
            Outcome::Pass
        );
    }
}
