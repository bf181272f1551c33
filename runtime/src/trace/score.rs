//! A score as recorded on the span it judges: a `gen_ai.evaluation.result` event with
//! `gen_ai.evaluation.name`, `.score.value`, `.score.label`, `.explanation` (and `error.type` when
//! the scorer failed), read back from a trace or written as the event's attributes.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::semconv as sc;

/// The label of a passing score.
pub const PASS: &str = "pass";
/// The label of a failing score.
pub const FAIL: &str = "fail";

/// One evaluation result: `gen_ai.evaluation.name`, `.score.value`, `.score.label`,
/// `.explanation`, on the span it judges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The scorer's name (`gen_ai.evaluation.name`).
    pub name: String,
    /// The score (`gen_ai.evaluation.score.value`), 0 to 1 for this crate's scorers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// `pass` or `fail` (`gen_ai.evaluation.score.label`).
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
    /// Whether it passed: labelled `pass`, or unlabelled and without an error.
    pub fn passed(&self) -> bool {
        match self.label.as_deref() {
            Some(label) => label == PASS,
            None => self.error_type.is_none(),
        }
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
            label: text(sc::GEN_AI_EVALUATION_SCORE_LABEL),
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
        if let Some(label) = &self.label {
            write!(f, " ({label})")?;
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
