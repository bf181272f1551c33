//! LLM-as-judge: a [`Scorer`] that asks a model, through your own `#[llm_call]` function,
//! whether a run meets a criterion. The judgment is a traced evaluator span in the judged trace
//! (`openinference.span.kind = EVALUATOR`, child of the judged span), with the judge's model call
//! beneath it, so every score can be audited: what the judge was shown, what it answered, what
//! it cost.

use std::fmt::{self, Display, Write as _};
use std::future::Future;

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::model::{ChatMessage, MessagePart};
use crate::semconv as sc;
use crate::spans;
use crate::trace::{ScoreError, ScoreFuture, Scorer, Verdict};
use crate::trace::{Trace, TraceSpan};

/// How much of each input, output and step the judge is shown, in characters.
const SHOWN: usize = 2_000;

/// What the judge model is asked: a system instruction and the run to judge, as text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JudgePrompt {
    /// The instruction: the criterion, and the JSON answer expected.
    pub system: String,
    /// The run: its input, its steps (tool calls with arguments and results, errors) and its
    /// answer, each cut to 2,000 characters.
    pub user: String,
}

impl JudgePrompt {
    /// The prompt as chat messages (`system`, then `user`).
    pub fn messages(&self) -> Vec<ChatMessage> {
        vec![
            ChatMessage::new("system", vec![MessagePart::text(self.system.clone())]),
            ChatMessage::new("user", vec![MessagePart::text(self.user.clone())]),
        ]
    }
}

/// Passed to an `#[llm_call]`, the prompt is its request: with content capture on, the judge's
/// call records `gen_ai.input.messages` (the system instruction and the run shown).
impl crate::model::ModelRequest for JudgePrompt {
    fn input_messages(&self) -> Vec<ChatMessage> {
        self.messages()
    }
}

/// A scorer that asks a model. `ask` is given the [`JudgePrompt`] and returns the model's answer
/// text; make it call an `#[llm_call]` function so the judge's call is traced. The model must
/// answer with JSON `{"score": 0..1, "explanation": ".."}` (text around the object is ignored);
/// the run passes when the score reaches the threshold (default 0.5).
///
/// ```
/// use genai_tracing::eval::{JudgePrompt, LlmJudge, Scorer};
/// use serde_json::{json, Value};
///
/// /// The judge model (here a stand-in answering in OpenAI's chat-completion shape).
/// #[genai_tracing::llm_call(provider = "openai", model = "gpt-4o-mini")]
/// async fn judge_model(prompt: &JudgePrompt) -> Result<Value, std::io::Error> {
///     let verdict = r#"{"score": 1, "explanation": "every fact is in a tool result"}"#;
///     Ok(json!({"choices": [{"message": {"role": "assistant", "content": verdict}}]}))
/// }
///
/// let grounded = LlmJudge::new(
///     "groundedness",
///     "Every fact in the answer comes from a tool result.",
///     |prompt: JudgePrompt| async move {
///         let reply = judge_model(&prompt).await?;
///         let text = reply["choices"][0]["message"]["content"].as_str().unwrap_or_default();
///         Ok::<_, std::io::Error>(text.to_owned())
///     },
/// )
/// .threshold(0.8);
/// assert_eq!(grounded.name(), "groundedness");
/// ```
pub struct LlmJudge<F> {
    name: String,
    criterion: String,
    threshold: f64,
    ask: F,
}

impl<F> fmt::Debug for LlmJudge<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmJudge")
            .field("name", &self.name)
            .field("criterion", &self.criterion)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

impl<F, Fut, E> LlmJudge<F>
where
    F: Fn(JudgePrompt) -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, E>> + Send,
    E: Display,
{
    /// A judge named `name` (the scores' `gen_ai.evaluation.name`) of `criterion`.
    pub fn new(name: impl Into<String>, criterion: impl Into<String>, ask: F) -> Self {
        Self {
            name: name.into(),
            criterion: criterion.into(),
            threshold: 0.5,
            ask,
        }
    }

    /// The lowest passing score (default 0.5).
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// What the judge is shown for `trace`.
    pub fn prompt(&self, trace: &Trace) -> JudgePrompt {
        let system = format!(
            "You evaluate the run of an AI agent against one criterion.\n\
             Criterion: {}\n\
             Answer with JSON only: {{\"score\": a number from 0 (fails) to 1 (meets it), \
             \"explanation\": \"one sentence\"}}.",
            self.criterion
        );
        let mut user = String::new();
        let _ = writeln!(user, "Input: {}", shown(trace.input().as_deref()));
        let steps: Vec<&TraceSpan> = trace
            .spans
            .iter()
            .filter(|s| s.tool_name().is_some() || s.is_error())
            .collect();
        if !steps.is_empty() {
            user.push_str("Steps:\n");
            for step in steps {
                let _ = write!(user, "- {}", step.name);
                if step.tool_name().is_some() {
                    let _ = write!(
                        user,
                        " with {} returned {}",
                        shown(step.input().as_deref()),
                        shown(step.output().as_deref())
                    );
                }
                if let Some(error) = step.error() {
                    let _ = write!(user, " failed: {}", cut(&error));
                }
                user.push('\n');
            }
        }
        let _ = writeln!(user, "Answer: {}", shown(trace.output().as_deref()));
        JudgePrompt { system, user }
    }
}

fn cut(text: &str) -> String {
    crate::trace::cut(text, SHOWN, "… (cut)")
}

fn shown(text: Option<&str>) -> String {
    text.map_or_else(|| "(not captured)".to_owned(), cut)
}

impl<F, Fut, E> Scorer for LlmJudge<F>
where
    F: Fn(JudgePrompt) -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, E>> + Send,
    E: Display,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn score<'a>(&'a self, trace: &'a Trace) -> ScoreFuture<'a> {
        let span = evaluator_span(&self.name, trace);
        let prompt = self.prompt(trace);
        let judged = async move {
            let outcome = match (self.ask)(prompt).await {
                Ok(answer) => read_verdict(&answer, self.threshold),
                Err(e) => Err(ScoreError::Judge(e.to_string())),
            };
            let current = tracing::Span::current();
            match &outcome {
                Ok(verdict) => {
                    if let Some(value) = verdict.value {
                        current.record(sc::GEN_AI_EVALUATION_SCORE_VALUE, value);
                    }
                    current.record(sc::GEN_AI_EVALUATION_SCORE_LABEL, verdict.outcome.label());
                    if let Some(why) = &verdict.explanation {
                        current.record(sc::GEN_AI_EVALUATION_EXPLANATION, why.as_str());
                    }
                }
                Err(error) => {
                    current.record(sc::ERROR_TYPE, error.error_type());
                    current.record(sc::OTEL_STATUS_CODE, "error");
                    current.record(sc::OTEL_STATUS_DESCRIPTION, error.to_string().as_str());
                }
            }
            outcome
        };
        Box::pin(judged.instrument(span))
    }
}

/// `evaluate {name}` (see `spans.rs`), a child of the judged trace's root.
fn evaluator_span(name: &str, trace: &Trace) -> tracing::Span {
    let span = spans::evaluator(name);
    let parent = trace.root().and_then(|root| {
        let trace_id = TraceId::from_hex(&trace.trace_id).ok()?;
        let span_id = SpanId::from_hex(&root.span_id).ok()?;
        Some(SpanContext::new(
            trace_id,
            span_id,
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ))
    });
    if let Some(parent) = parent {
        let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(parent));
    }
    span
}

/// The verdict in a judge's answer: the first JSON object in it, with `score` (a number, or a
/// number in a string) from 0 to 1 and an optional `explanation`.
fn read_verdict(answer: &str, threshold: f64) -> Result<Verdict, ScoreError> {
    let unreadable = || ScoreError::Unreadable(cut(answer.trim()));
    let start = answer.find('{').ok_or_else(unreadable)?;
    let mut objects = serde_json::Deserializer::from_str(&answer[start..])
        .into_iter::<serde_json::Map<String, serde_json::Value>>();
    let object = objects.next().and_then(Result::ok).ok_or_else(unreadable)?;
    let score = match object.get("score") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|s: &f64| (0.0..=1.0).contains(s))
    .ok_or_else(unreadable)?;
    let mut verdict = Verdict::at_least(score, threshold);
    verdict.explanation = object
        .get("explanation")
        .and_then(|e| e.as_str())
        .map(str::to_owned);
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_read_from_the_first_json_object() {
        let v = read_verdict(
            "Sure! {\"score\": 0.25, \"explanation\": \"off by one\"} done",
            0.5,
        )
        .unwrap();
        assert_eq!((v.value, v.passed()), (Some(0.25), false));
        assert_eq!(v.explanation.as_deref(), Some("off by one"));
        assert!(read_verdict("{\"score\": \"0.9\"}", 0.5).unwrap().passed());
        for bad in [
            "no json",
            "{\"score\": 7}",
            "{\"verdict\": 1}",
            "{\"score\": 0.5",
        ] {
            assert!(
                matches!(read_verdict(bad, 0.5), Err(ScoreError::Unreadable(_))),
                "{bad}"
            );
        }
    }
}
