//! A [`Trace`] as a tree, one line per span, in the console exporter's style: duration, model,
//! tokens, cost, time to first chunk, status and error; below a span, its recorded scores and,
//! on request, its input and output.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::span::TraceSpan;
use super::tree::Trace;
use crate::semconv as sc;

/// Past this depth the tree is not indented further (a malformed file can chain spans deeper
/// than anyone reads).
const MAX_INDENT: usize = 64;

impl Trace {
    /// The trace as a tree: one line per span (duration, model, tokens, cost, status and error),
    /// then the scores recorded on it and, with `content`, its input and output. Children are in
    /// start order; a span whose process (`service.name`) differs from its parent's is marked
    /// `[service]`. Every span is shown once, even in a malformed file (repeated ids, cycles).
    ///
    /// ```text
    /// invoke_agent react-agent  102.3 ms  726→99 tokens  $0.000168  ok
    /// │  score no-errors = 0 (fail): invoke_agent react-agent > execute_tool calculator: parse_error: …
    /// ├─ chat gpt-4o-mini  36.1 ms  gpt-4o-mini-2024-07-18  173→43 tokens  $0.000052  ok
    /// └─ execute_tool calculator  0.3 ms  ERROR parse_error: cannot parse "12 divided by 4 plus 7"
    ///       in:  {"expr":"12 divided by 4 plus 7"}
    /// ```
    ///
    /// ```
    /// let line = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{
    ///     "traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
    ///     "name":"execute_tool calculator","startTimeUnixNano":"1000000","endTimeUnixNano":"3500000",
    ///     "attributes":[{"key":"gen_ai.tool.call.result","value":{"stringValue":"391"}}]}]}]}]}"#;
    /// let trace = &genai_tracing::eval::parse_traces(line.as_bytes(), "inline")?[0];
    /// assert_eq!(trace.render(true), "execute_tool calculator  2.5 ms  ok\n   out: 391\n");
    /// # Ok::<(), genai_tracing::eval::TraceFileError>(())
    /// ```
    pub fn render(&self, content: bool) -> String {
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, span) in self.spans.iter().enumerate() {
            by_id.entry(span.span_id.as_str()).or_insert(i);
            if let Some(parent) = span.parent_span_id.as_deref() {
                children.entry(parent).or_default().push(i);
            }
        }
        let roots: Vec<usize> = self
            .spans
            .iter()
            .enumerate()
            .filter(|(_, s)| match s.parent_span_id.as_deref() {
                None => true,
                Some(parent) => !by_id.contains_key(parent),
            })
            .map(|(i, _)| i)
            .collect();
        let mut tree = Tree {
            trace: self,
            by_id,
            children,
            shown: vec![false; self.spans.len()],
            content,
            out: String::new(),
        };
        for root in roots {
            tree.show(root);
        }
        // Spans no root leads to (a cycle of parents in a malformed file) are shown as roots.
        for i in 0..self.spans.len() {
            tree.show(i);
        }
        tree.out
    }
}

/// The rendering of one trace.
struct Tree<'a> {
    trace: &'a Trace,
    /// Span indices by id (the first, where a malformed file repeats one).
    by_id: HashMap<&'a str, usize>,
    /// Span indices by parent id, in start order.
    children: HashMap<&'a str, Vec<usize>>,
    shown: Vec<bool>,
    content: bool,
    out: String,
}

impl Tree<'_> {
    /// Shows span `root` and what is beneath it, unless shown already; iterative, so a deep
    /// chain cannot overflow the stack.
    fn show(&mut self, root: usize) {
        // (span, prefix of its line, prefix of the lines beneath it, depth)
        let mut stack = vec![(root, String::new(), String::new(), 0)];
        while let Some((i, first, rest, depth)) = stack.pop() {
            if std::mem::replace(&mut self.shown[i], true) {
                continue;
            }
            let span = &self.trace.spans[i];
            let kids: Vec<usize> = self
                .children
                .get(span.span_id.as_str())
                .map(|kids| kids.iter().copied().filter(|&k| !self.shown[k]).collect())
                .unwrap_or_default();
            let parent_service = span
                .parent_span_id
                .as_deref()
                .and_then(|p| self.by_id.get(p))
                .and_then(|&p| self.trace.spans[p].service.as_deref());
            let _ = writeln!(self.out, "{first}{}", line(span, parent_service));
            let details = format!("{rest}{}", if kids.is_empty() { "   " } else { "│  " });
            self.details(span, &details);
            let indent = depth < MAX_INDENT;
            for (n, &kid) in kids.iter().enumerate().rev() {
                let last = n + 1 == kids.len();
                let (branch, below) = match (indent, last) {
                    (false, _) => ("", ""),
                    (true, true) => ("└─ ", "   "),
                    (true, false) => ("├─ ", "│  "),
                };
                stack.push((
                    kid,
                    format!("{rest}{branch}"),
                    format!("{rest}{below}"),
                    depth + 1,
                ));
            }
        }
    }

    /// The lines beneath a span's: its scores, and its input and output when asked.
    fn details(&mut self, span: &TraceSpan, prefix: &str) {
        for score in span.scores() {
            let _ = writeln!(self.out, "{prefix}score {score}");
        }
        if !self.content {
            return;
        }
        for (label, text) in [("in: ", span.input()), ("out:", span.output())] {
            if let Some(text) = text {
                let continued = format!("\n{prefix}     ");
                let text = text.replace('\n', &continued);
                let _ = writeln!(self.out, "{prefix}{label} {text}");
            }
        }
    }
}

/// A span's own line.
fn line(span: &TraceSpan, parent_service: Option<&str>) -> String {
    let mut text = format!("{}  {:.1} ms", span.name, span.duration_secs() * 1000.0);
    if let Some(model) = span.model() {
        let _ = write!(text, "  {model}");
    }
    if let Some((input, output)) = span.tokens() {
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
    match span.error() {
        Some(error) => {
            let _ = write!(text, "  ERROR {error}");
        }
        None => text.push_str("  ok"),
    }
    // The process, where it changes (and on a root, where it is known).
    match (span.service.as_deref(), parent_service) {
        (Some(service), Some(parent)) if service != parent => {
            let _ = write!(text, "  [{service}]");
        }
        (Some(service), None) if span.parent_span_id.is_none() => {
            let _ = write!(text, "  [{service}]");
        }
        _ => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{SpanEvent, SpanStatus};
    use serde_json::json;

    fn span(id: &str, parent: Option<&str>, name: &str, start_ms: u64) -> TraceSpan {
        TraceSpan {
            span_id: id.into(),
            parent_span_id: parent.map(Into::into),
            name: name.into(),
            start_unix_nano: start_ms * 1_000_000,
            end_unix_nano: (start_ms + 10) * 1_000_000,
            status: SpanStatus::Unset,
            attributes: Default::default(),
            events: Vec::new(),
            service: Some("agent".into()),
        }
    }

    fn trace(spans: Vec<TraceSpan>) -> Trace {
        Trace {
            trace_id: "t".into(),
            spans,
            ..Trace::default()
        }
    }

    #[test]
    fn a_tree_with_models_tokens_cost_errors_scores_and_content() {
        let mut root = span("a", None, "invoke_agent calc", 0);
        root.attributes = json!({sc::INPUT_VALUE: "What is\n17 * 23?", sc::OUTPUT_VALUE: "391"})
            .as_object()
            .cloned()
            .unwrap();
        root.events.push(SpanEvent {
            name: sc::GEN_AI_EVALUATION_RESULT.into(),
            time_unix_nano: 0,
            attributes: json!({sc::GEN_AI_EVALUATION_NAME: "no-errors",
                sc::GEN_AI_EVALUATION_SCORE_VALUE: 0.0, sc::GEN_AI_EVALUATION_SCORE_LABEL: "fail"})
            .as_object()
            .cloned()
            .unwrap(),
        });
        let mut chat = span("b", Some("a"), "chat m", 1);
        chat.attributes =
            json!({sc::GEN_AI_RESPONSE_MODEL: "m-1", sc::GEN_AI_USAGE_INPUT_TOKENS: 10,
            sc::GEN_AI_USAGE_OUTPUT_TOKENS: 2, sc::COST_USD: 0.00002,
            sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: 0.005})
            .as_object()
            .cloned()
            .unwrap();
        let mut tool = span("c", Some("a"), "execute_tool calculator", 2);
        tool.status = SpanStatus::Error("cannot parse".into());
        tool.service = Some("tools".into());
        tool.attributes =
            json!({sc::ERROR_TYPE: "parse_error", sc::GEN_AI_TOOL_CALL_ARGUMENTS: {"expr": "x"}})
                .as_object()
                .cloned()
                .unwrap();
        let grandchild = span("d", Some("c"), "inner", 3);
        let trace = trace(vec![root, chat, tool, grandchild]);
        assert_eq!(
            trace.render(true),
            "\
invoke_agent calc  10.0 ms  ok  [agent]
│  score no-errors = 0 (fail)
│  in:  What is
│       17 * 23?
│  out: 391
├─ chat m  10.0 ms  m-1  10→2 tokens  $0.000020  streamed, first chunk 5.0 ms  ok
└─ execute_tool calculator  10.0 ms  ERROR parse_error: cannot parse  [tools]
   │  in:  {\"expr\":\"x\"}
   └─ inner  10.0 ms  ok  [agent]
"
        );
        assert_eq!(
            trace.render(false).lines().count(),
            5,
            "spans and scores only"
        );
    }

    #[test]
    fn a_score_with_nothing_to_check_says_not_checked() {
        let mut root = span("a", None, "invoke_agent react-agent", 0);
        root.events.push(SpanEvent {
            name: sc::GEN_AI_EVALUATION_RESULT.into(),
            time_unix_nano: 0,
            attributes: json!({sc::GEN_AI_EVALUATION_NAME: "arithmetic",
                sc::GEN_AI_EVALUATION_SCORE_LABEL: "not_checked",
                sc::EVALUATION_OUTCOME: "not_checked",
                sc::GEN_AI_EVALUATION_EXPLANATION: "content not captured"})
            .as_object()
            .cloned()
            .unwrap(),
        });
        let trace = trace(vec![root]);
        assert_eq!(
            trace.render(false),
            "invoke_agent react-agent  10.0 ms  ok  [agent]\n   \
             score arithmetic (not checked): content not captured\n"
        );
        assert!(!trace.content_captured());
        let mut captured = trace.clone();
        captured.spans[0]
            .attributes
            .insert(sc::OUTPUT_VALUE.into(), json!("391"));
        assert!(captured.content_captured());
    }

    #[test]
    fn exception_events_and_a_roots_process_are_on_its_line() {
        let mut root = span("a", None, "tools/call calculator", 0);
        root.events.push(SpanEvent {
            name: sc::EXCEPTION_EVENT.into(),
            time_unix_nano: 1,
            attributes: [(sc::EXCEPTION_TYPE.to_owned(), json!("parse_error"))]
                .into_iter()
                .collect(),
        });
        assert_eq!(
            trace(vec![root]).render(false),
            "tools/call calculator  10.0 ms  (exception: parse_error)  ok  [agent]\n"
        );
    }

    #[test]
    fn token_totals_saturate_on_absurd_counts_and_leave_out_an_evaluators_calls() {
        let call = |id: &str, parent: Option<&str>| {
            let mut s = span(id, parent, "chat m", 0);
            s.attributes
                .insert(sc::GEN_AI_OPERATION_NAME.into(), json!("chat"));
            s.attributes
                .insert(sc::GEN_AI_USAGE_INPUT_TOKENS.into(), json!(1e300));
            s.attributes
                .insert(sc::GEN_AI_USAGE_OUTPUT_TOKENS.into(), json!(2));
            s
        };
        let mut judge = span("j", Some("a"), "evaluate x", 1);
        judge.attributes.insert(
            sc::OPENINFERENCE_SPAN_KIND.into(),
            json!(sc::span_kind::EVALUATOR),
        );
        let t = trace(vec![
            span("a", None, "invoke_agent", 0),
            call("b", Some("a")),
            call("c", Some("a")),
            judge,
            call("d", Some("j")),
        ]);
        assert_eq!(
            t.tokens(),
            (u64::MAX, 4),
            "two calls of the run, not the judge's"
        );
        assert!(t.is_evaluation(&t.spans[4]) && !t.is_evaluation(&t.spans[1]));
    }

    #[test]
    fn repeated_ids_and_cycles_show_every_span_once() {
        // Three spans share an id and claim it as parent; two more are each other's parent.
        let trace = trace(vec![
            span("x", None, "one", 0),
            span("x", Some("x"), "two", 1),
            span("x", Some("x"), "three", 2),
            span("p", Some("q"), "four", 3),
            span("q", Some("p"), "five", 4),
        ]);
        let text = trace.render(false);
        assert_eq!(text.lines().count(), 5, "{text}");
        for name in ["one", "two", "three", "four", "five"] {
            assert_eq!(text.matches(&format!("{name}  ")).count(), 1, "{text}");
        }
    }

    #[test]
    fn a_deep_chain_renders_without_overflowing() {
        let spans: Vec<TraceSpan> = (0..20_000)
            .map(|i| {
                let parent = (i > 0).then(|| format!("{:016x}", i - 1));
                span(&format!("{i:016x}"), parent.as_deref(), "s", i)
            })
            .collect();
        let text = trace(spans).render(false);
        assert_eq!(text.lines().count(), 20_000);
        assert!(text
            .lines()
            .all(|l| l.chars().count() < 3 * MAX_INDENT + 40));
    }
}
