//! Property tests of the readers the CLI rests on: trace files
//! (`genai_tracing::eval::parse_traces`), datasets (`Dataset::parse`) and eval reports
//! (`EvalReport::parse`).
//!
//! - Arbitrary bytes, and valid input cut short, with bytes inserted, flipped or deleted: never
//!   a panic, and every error names a line and a column from 1, within the input.
//! - Valid input reads back whole: the spans of generated trace lines (with names, attributes,
//!   events and statuses of any text), dataset cases and reports.
//! - What the CLI does with the traces read (render them, score them with every rule, harvest
//!   them) never panics either.
//!
//! 512 cases per property by default (a few seconds); `PROPTEST_CASES=200000` for a long run.

use std::sync::Arc;

use genai_tracing::eval::rules::parse_rule;
use genai_tracing::eval::{
    parse_traces, score_trace, CaseResult, CaseSource, Dataset, DatasetError, EvalCase, EvalReport,
    ReportError, Score, Scorer, Trace, TraceFileError,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Value};

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default(); // reads PROPTEST_CASES
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 512;
    }
    // A failure prints its minimal input; nothing is written into the source tree.
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Off));
    config
}

// --- generated valid input ----------------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Any text: mostly short and printable, sometimes any Unicode (quotes, escapes, emoji).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-z_ >.*]{0,16}", 1 => any::<String>()]
}

/// An OTLP-JSON attribute value of any kind.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        text().prop_map(|s| json!({ "stringValue": s })),
        any::<i64>().prop_map(|i| json!({ "intValue": i.to_string() })),
        any::<i64>().prop_map(|i| json!({ "intValue": i })),
        prop::num::f64::NORMAL.prop_map(|d| json!({ "doubleValue": d })),
        any::<bool>().prop_map(|b| json!({ "boolValue": b })),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|values| json!({ "arrayValue": { "values": values } })),
            prop::collection::vec((text(), inner), 0..4).prop_map(|kvs| {
                let values: Vec<Value> = kvs
                    .into_iter()
                    .map(|(key, value)| json!({ "key": key, "value": value }))
                    .collect();
                json!({ "kvlistValue": { "values": values } })
            }),
        ]
    })
}

fn attributes() -> impl Strategy<Value = Value> {
    let known = prop_oneof![
        Just("gen_ai.operation.name".to_owned()),
        Just("gen_ai.tool.name".to_owned()),
        Just("gen_ai.usage.input_tokens".to_owned()),
        Just("genai_tracing.cost.usd".to_owned()),
        Just("input.value".to_owned()),
        Just("output.value".to_owned()),
        Just("error.type".to_owned()),
    ];
    let key = prop_oneof![known, text()];
    prop::collection::vec((key, any_value()), 0..5).prop_map(|kvs| {
        Value::Array(
            kvs.into_iter()
                .map(|(key, value)| json!({ "key": key, "value": value }))
                .collect(),
        )
    })
}

/// A `gen_ai.evaluation.result` event or any other.
fn event() -> impl Strategy<Value = Value> {
    (any::<u64>(), text(), attributes(), any::<bool>()).prop_map(|(time, name, attrs, eval)| {
        let name = if eval {
            "gen_ai.evaluation.result".to_owned()
        } else {
            name
        };
        json!({ "timeUnixNano": time.to_string(), "name": name, "attributes": attrs })
    })
}

/// A span of trace `trace_id`: `(id, parent choice, name, start, duration, status, attributes,
/// events)`; the parent is one of the spans before it, or none.
#[allow(clippy::type_complexity)]
fn span_parts() -> impl Strategy<
    Value = (
        [u8; 8],
        Option<Index>,
        String,
        u64,
        u32,
        (i32, String),
        Value,
        Vec<Value>,
    ),
> {
    (
        any::<[u8; 8]>(),
        any::<Option<Index>>(),
        text(),
        any::<u64>(),
        any::<u32>(),
        (0..=2, text()),
        attributes(),
        prop::collection::vec(event(), 0..3),
    )
}

/// One request line: one trace's spans, some of whose parents are among them.
fn request(trace_id: [u8; 16]) -> impl Strategy<Value = (Value, Vec<String>)> {
    (
        prop::collection::vec(span_parts(), 1..6),
        prop::option::of(text()),
    )
        .prop_map(move |(parts, service)| {
            let mut ids: Vec<String> = Vec::new();
            let mut names = Vec::new();
            let mut spans = Vec::new();
            for (id, parent, name, start, took, (code, message), attrs, events) in parts {
                let mut span = json!({
                    "traceId": hex(&trace_id),
                    "spanId": hex(&id),
                    "name": name,
                    "kind": 1,
                    "startTimeUnixNano": start.to_string(),
                    "endTimeUnixNano": start.saturating_add(u64::from(took)).to_string(),
                    "attributes": attrs,
                    "events": events,
                    "status": { "code": code, "message": message },
                });
                if let Some(parent) = parent.filter(|_| !ids.is_empty()) {
                    span["parentSpanId"] = json!(ids[parent.index(ids.len())]);
                }
                ids.push(hex(&id));
                names.push(name);
                spans.push(span);
            }
            let resource = match service {
                Some(service) => json!({ "attributes": [
                    { "key": "service.name", "value": { "stringValue": service } }
                ] }),
                None => json!({}),
            };
            let request = json!({ "resourceSpans": [{
                "resource": resource,
                "scopeSpans": [{ "scope": { "name": "genai-tracing" }, "spans": spans }]
            }] });
            (request, names)
        })
}

/// A trace file: 1 to 4 lines over 1 or 2 trace ids (a trace may come back on a later line),
/// and the names of its spans.
fn trace_file() -> impl Strategy<Value = (String, Vec<String>)> {
    (any::<[u8; 16]>(), any::<[u8; 16]>())
        .prop_flat_map(|(a, b)| prop::collection::vec(prop_oneof![request(a), request(b)], 1..4))
        .prop_map(|lines| {
            let mut text = String::new();
            let mut names = Vec::new();
            for (request, span_names) in lines {
                text.push_str(&request.to_string());
                text.push('\n');
                names.extend(span_names);
            }
            (text, names)
        })
}

/// The fixture, a real trace line (with a recorded score and an error), or a generated file.
fn trace_text() -> impl Strategy<Value = Vec<u8>> {
    let fixture = include_str!("data/calculator.jsonl").as_bytes().to_vec();
    prop_oneof![
        1 => Just(fixture),
        3 => trace_file().prop_map(|(text, _)| text.into_bytes()),
    ]
}

/// A number with a short decimal form. serde_json's default parser may read the 17-digit form
/// of an arbitrary `f64` one unit in the last place off (its `float_roundtrip` feature is off),
/// so exact round trips are checked on numbers like 0.25 and 391.5, as reports and datasets hold.
fn decimal() -> impl Strategy<Value = f64> {
    any::<i32>().prop_map(|n| f64::from(n) / 1000.0)
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        text().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        decimal().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// An expected answer: any JSON but `null`, which reads back as no answer.
fn answer() -> impl Strategy<Value = Value> {
    json_value().prop_filter("null is no answer", |v| !v.is_null())
}

fn case() -> impl Strategy<Value = EvalCase> {
    (
        json_value(),
        prop::option::of(answer()),
        prop::option::of((text(), prop::collection::vec(text(), 0..3))),
    )
        .prop_map(|(input, expected, source)| {
            let mut case = EvalCase::new(input);
            case.expected = expected;
            case.source = source.map(|(trace_id, reasons)| CaseSource { trace_id, reasons });
            case
        })
}

/// Cases with distinct ids (an input given twice is one case).
fn dataset() -> impl Strategy<Value = Vec<EvalCase>> {
    prop::collection::vec(case(), 0..5).prop_map(|cases| {
        let mut seen = std::collections::HashSet::new();
        cases
            .into_iter()
            .filter(|c| seen.insert(c.id.clone()))
            .collect()
    })
}

fn dataset_text(cases: &[EvalCase]) -> String {
    cases
        .iter()
        .map(|c| serde_json::to_string(c).unwrap() + "\n")
        .collect()
}

fn score() -> impl Strategy<Value = Score> {
    (
        text(),
        prop::option::of(decimal()),
        prop::option::of(prop_oneof![
            Just("pass".to_owned()),
            Just("fail".to_owned()),
            Just("not_checked".to_owned())
        ]),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(|(name, value, label, explanation, error_type)| Score {
            name,
            value,
            label,
            explanation,
            error_type,
            span_id: None,
        })
}

fn report() -> impl Strategy<Value = EvalReport> {
    let result = (
        text(),
        json_value(),
        prop::option::of(answer()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::collection::vec(score(), 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(id, input, expected, output, error, scores, passed, not_checked)| CaseResult {
                trace_id: format!("t-{id}"),
                id,
                input,
                expected,
                output,
                error,
                scores,
                passed: passed && !not_checked,
                not_checked,
                replay_misses: Vec::new(),
            },
        );
    prop::collection::vec(result, 0..4).prop_map(|cases| EvalReport { cases })
}

// --- mutations ----------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    Insert(Index, u8),
    Flip(Index, u8),
    Delete(Index, u8),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1..=255u8).prop_map(|(i, bit)| Mutation::Flip(i, bit)),
        (any::<Index>(), 1..=16u8).prop_map(|(i, n)| Mutation::Delete(i, n)),
    ];
    prop::collection::vec(one, 1..4)
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let at = |i: &Index, extra: usize| i.index(bytes.len() + extra);
        match mutation {
            Mutation::Truncate(i) => bytes.truncate(at(i, 1)),
            Mutation::Insert(i, b) => {
                let at = at(i, 1);
                bytes.insert(at, *b)
            }
            Mutation::Flip(_, _) | Mutation::Delete(_, _) if bytes.is_empty() => {}
            Mutation::Flip(i, bits) => {
                let at = at(i, 0);
                bytes[at] ^= bits
            }
            Mutation::Delete(i, n) => {
                let at = at(i, 0);
                let end = (at + usize::from(*n)).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    bytes
}

// --- checks -------------------------------------------------------------------------------------

/// A position within `bytes`: a line from 1 to the lines there are, a column from 1 to the
/// length of the input plus one.
fn within(bytes: &[u8], line: usize, column: usize) -> Result<(), TestCaseError> {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    prop_assert!(
        (1..=lines).contains(&line),
        "line {line} of {lines}: {:?}",
        String::from_utf8_lossy(bytes)
    );
    prop_assert!(
        (1..=bytes.len() + 1).contains(&column),
        "column {column} of {} bytes",
        bytes.len()
    );
    Ok(())
}

/// Reads `bytes` as a trace file, a dataset and a report: no panic (the test would fail), and
/// each error within the input; what reads as traces is rendered, scored and harvested.
fn read_all_ways(bytes: &[u8]) -> Result<(), TestCaseError> {
    match parse_traces(bytes, "f") {
        Ok(traces) => use_traces(&traces)?,
        Err(TraceFileError::Malformed { line, column, .. }) => within(bytes, line, column)?,
        Err(e @ TraceFileError::Io { .. }) => prop_assert!(false, "no I/O here: {e}"),
    }
    match Dataset::parse(bytes, "d") {
        Ok(_) => {}
        Err(DatasetError::Malformed { line, column, .. }) => within(bytes, line, column)?,
        Err(e) => prop_assert!(false, "no I/O here: {e}"),
    }
    match EvalReport::parse(bytes, "r") {
        Ok(_) => {}
        Err(ReportError::Malformed { line, column, .. }) => within(bytes, line, column)?,
        Err(e) => prop_assert!(false, "only a malformed report: {e}"),
    }
    Ok(())
}

/// Every rule, by spec.
fn every_rule() -> Vec<Arc<dyn Scorer>> {
    [
        "no-errors",
        "finished",
        "expected",
        "output-contains=a",
        "output-matches=^[a-z]+$",
        "max-cost=0.01",
        "max-tokens=100",
        "max-latency=1",
        "max-tool-errors=0",
    ]
    .iter()
    .map(|spec| Arc::from(parse_rule(spec).unwrap()))
    .collect()
}

/// What the CLI does with traces: render, path, failures, scores, a case.
fn use_traces(traces: &[Trace]) -> Result<(), TestCaseError> {
    let rules = every_rule();
    for trace in traces {
        let rendered = trace.render(true);
        prop_assert!(rendered.lines().count() >= trace.spans.len());
        for span in &trace.spans {
            let _ = (trace.path(span), span.input(), span.output(), span.error());
        }
        let _ = (trace.failures(), trace.tokens(), trace.cost_usd());
        for score in futures_executor::block_on(score_trace(trace, &rules)) {
            prop_assert!(score.error_type.is_none(), "a rule failed: {score}");
        }
        let _ = EvalCase::from_trace(trace);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_and_errors_have_a_place(
        bytes in prop::collection::vec(any::<u8>(), 0..512)
    ) {
        read_all_ways(&bytes)?;
    }

    #[test]
    fn mutated_trace_files_never_panic_and_errors_have_a_place(
        text in trace_text(),
        mutations in mutations(),
    ) {
        read_all_ways(&mutate(text, &mutations))?;
    }

    #[test]
    fn valid_trace_files_read_back_every_span(file in trace_file()) {
        let (text, names) = file;
        let traces = parse_traces(text.as_bytes(), "f")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert!((1..=2).contains(&traces.len()));
        let mut read: Vec<&str> = traces
            .iter()
            .flat_map(|t| &t.spans)
            .map(|s| s.name.as_str())
            .collect();
        let mut written: Vec<&str> = names.iter().map(String::as_str).collect();
        read.sort_unstable();
        written.sort_unstable();
        prop_assert_eq!(read, written);
        use_traces(&traces)?;
    }

    #[test]
    fn valid_datasets_read_back_and_mutated_ones_never_panic(
        cases in dataset(),
        mutations in mutations(),
    ) {
        let text = dataset_text(&cases);
        let read = Dataset::parse(text.as_bytes(), "d")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&read.cases, &cases);
        read_all_ways(&mutate(text.into_bytes(), &mutations))?;
    }

    #[test]
    fn valid_reports_read_back_and_mutated_ones_never_panic(
        report in report(),
        mutations in mutations(),
    ) {
        let text = serde_json::to_string_pretty(&report).unwrap();
        let read = EvalReport::parse(text.as_bytes(), "r")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&read, &report);
        read_all_ways(&mutate(text.into_bytes(), &mutations))?;
    }
}
