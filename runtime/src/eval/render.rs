//! A trace as a GenAI-aware tree, one line per span — duration, model, tokens, cost, time to
//! first chunk, status and error, scores — as the console exporter prints it and
//! `genai-trace view` shows it.

use std::fmt::Write as _;

use super::trace::{SpanStatus, Trace, TraceSpan};
use crate::semconv as sc;

impl Trace {
    /// The trace as a tree, children in start order. With `content`, each span's captured input
    /// and output follow its line. Where spans come from several processes (`service.name`), a
    /// span whose process differs from its parent's is marked `[service]`.
    ///
    /// ```text
    /// invoke_agent react-agent  52.1 ms  146→31 tokens  $0.000040  ok
    /// ├─ chat gpt-4o-mini  22.0 ms  gpt-4o-mini-2024-07-18  115→31 tokens  $0.000036  ok
    /// └─ execute_tool calculator  0.0 ms  ok  score arithmetic = 0 (fail): 392 for 17 * 23
    /// ```
    ///
    /// ```
    /// assert_eq!(genai_tracing::eval::Trace::default().render(false), "");
    /// ```
    pub fn render(&self, content: bool) -> String {
        let mut out = String::new();
        for root in self.roots() {
            self.write_span(&mut out, root, content, None, "", "", 0);
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn write_span(
        &self,
        out: &mut String,
        span: &TraceSpan,
        content: bool,
        parent_service: Option<&str>,
        first: &str,
        rest: &str,
        depth: usize,
    ) {
        let service = span.text("service.name").or(span.service.as_deref());
        let moved = match (service, parent_service) {
            (Some(s), Some(p)) if s != p => format!("  [{s}]"),
            (Some(s), None) => format!("  [{s}]"),
            _ => String::new(),
        };
        let _ = writeln!(out, "{first}{}{moved}", line(span));
        let kids: Vec<&TraceSpan> = if depth < 256 {
            self.children(span).collect()
        } else {
            Vec::new() // a cycle in a malformed file
        };
        if content {
            let below = if kids.is_empty() { "   " } else { "│  " };
            for (label, text) in [("in", span.input()), ("out", span.output())] {
                if let Some(text) = text {
                    let _ = writeln!(out, "{rest}{below}  {label}: {text}");
                }
            }
        }
        for (i, kid) in kids.iter().enumerate() {
            let (branch, indent) = if i + 1 == kids.len() {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            self.write_span(
                out,
                kid,
                content,
                service,
                &format!("{rest}{branch}"),
                &format!("{rest}{indent}"),
                depth + 1,
            );
        }
    }
}

fn line(span: &TraceSpan) -> String {
    let mut text = format!("{}  {:.1} ms", span.name, span.duration_secs() * 1000.0);
    if let Some(model) = span.model() {
        let _ = write!(text, "  {model}");
    }
    if let (Some(input), Some(output)) = (
        span.number(sc::GEN_AI_USAGE_INPUT_TOKENS),
        span.number(sc::GEN_AI_USAGE_OUTPUT_TOKENS),
    ) {
        let _ = write!(text, "  {input}→{output} tokens");
    }
    if let Some(usd) = span.cost_usd() {
        let _ = write!(text, "  ${usd:.6}");
    }
    if let Some(first) = span.number(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) {
        let _ = write!(text, "  streamed, first chunk {:.1} ms", first * 1000.0);
    }
    let exceptions: Vec<&str> = span
        .events
        .iter()
        .filter(|e| e.name == sc::EXCEPTION_EVENT)
        .filter_map(|e| e.attributes.get(sc::EXCEPTION_TYPE)?.as_str())
        .collect();
    if !exceptions.is_empty() {
        let _ = write!(text, "  (exception: {})", exceptions.join(", "));
    }
    match &span.status {
        SpanStatus::Error(description) => {
            let kind = span.text(sc::ERROR_TYPE).unwrap_or_default();
            let _ = write!(text, "  ERROR {kind}: {description}");
        }
        _ => text.push_str("  ok"),
    }
    for score in span.scores() {
        let _ = write!(text, "  score {score}");
    }
    text
}
