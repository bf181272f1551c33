//! Reading trace files: OTLP-JSON `ExportTraceServiceRequest`s, one after another — the JSON
//! Lines the [`FileExporter`](crate::export::FileExporter) writes, a single (pretty-printed)
//! request as OTLP/HTTP posts it, or several concatenated. Bad input is an error naming the
//! file, line and column, never a panic.

use std::path::Path;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use super::tree::Trace;

/// A trace file that cannot be read, with where.
#[derive(Debug, thiserror::Error)]
pub enum TraceFileError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The content is not OTLP-JSON (or is cut short).
    #[error("{origin}:{line}:{column}: {message}")]
    Malformed {
        /// The file (or other origin) read.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads every trace in an OTLP-JSON file: the file exporter's lines, a single (pretty-printed)
/// request, or several concatenated.
///
/// ```no_run
/// let traces = genai_tracing::eval::read_traces("genai-traces/react-agent-demo.jsonl")?;
/// for trace in &traces {
///     print!("{}", trace.render(false));
/// }
/// # Ok::<(), genai_tracing::eval::TraceFileError>(())
/// ```
pub fn read_traces(path: impl AsRef<Path>) -> Result<Vec<Trace>, TraceFileError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| TraceFileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_traces(&bytes, &path.display().to_string())
}

/// Parses OTLP-JSON from memory; `origin` names it in errors.
///
/// ```
/// let err = genai_tracing::eval::parse_traces(b"{\"resourceSpans\": [", "cut.jsonl").unwrap_err();
/// assert!(err.to_string().starts_with("cut.jsonl:1:"), "{err}");
/// ```
pub fn parse_traces(bytes: &[u8], origin: &str) -> Result<Vec<Trace>, TraceFileError> {
    let mut requests = Vec::new();
    let mut stream =
        serde_json::Deserializer::from_slice(bytes).into_iter::<ExportTraceServiceRequest>();
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(request)) => {
                check(&request).map_err(|message| {
                    let (line, column) = position(bytes, start);
                    TraceFileError::Malformed {
                        origin: origin.to_owned(),
                        line,
                        column,
                        message,
                    }
                })?;
                requests.push(request);
            }
            Some(Err(e)) => {
                return Err(TraceFileError::Malformed {
                    origin: origin.to_owned(),
                    line: e.line().max(1),
                    column: e.column().max(1),
                    message: serde_message(&e),
                })
            }
        }
    }
    Ok(Trace::from_requests(&requests))
}

/// A serde error's message without the position it ends with (errors give it as `line:column`
/// before the message).
pub(crate) fn serde_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

/// What serde accepts but a trace cannot have: ids of the wrong length.
fn check(request: &ExportTraceServiceRequest) -> Result<(), String> {
    let spans = request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans);
    for span in spans {
        if span.trace_id.len() != 16 {
            return Err(format!(
                "span {:?}: a trace id has 32 hex digits, found {}",
                span.name,
                span.trace_id.len() * 2
            ));
        }
        if span.span_id.len() != 8 {
            return Err(format!(
                "span {:?}: a span id has 16 hex digits, found {}",
                span.name,
                span.span_id.len() * 2
            ));
        }
        if !span.parent_span_id.is_empty() && span.parent_span_id.len() != 8 {
            return Err(format!(
                "span {:?}: a parent span id has 16 hex digits, found {}",
                span.name,
                span.parent_span_id.len() * 2
            ));
        }
    }
    Ok(())
}

/// The 1-based line and column of the first non-blank byte at or after `offset`.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset
        + bytes[offset.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root","startTimeUnixNano":"5","endTimeUnixNano":"9","status":{"code":2,"message":"boom"},"attributes":[{"key":"n","value":{"intValue":"7"}},{"key":"d","value":{"doubleValue":0.5}},{"key":"a","value":{"arrayValue":{"values":[{"stringValue":"x"}]}}}]}]}]}]}"#;

    #[test]
    fn reads_lines_and_merges_a_trace_spread_over_lines() {
        let late = SPAN
            .replace(
                "b7ad6b7169203331\"",
                "00000000000000aa\",\"parentSpanId\":\"b7ad6b7169203331\"",
            )
            .replace("\"root\"", "\"late\"");
        let text = format!("{SPAN}\n\n{late}\n");
        let traces = parse_traces(text.as_bytes(), "t").unwrap();
        assert_eq!(traces.len(), 1);
        let trace = &traces[0];
        assert_eq!(trace.spans.len(), 2);
        let root = trace.root().unwrap();
        assert_eq!(root.name, "root");
        assert_eq!(root.service.as_deref(), Some("svc"));
        assert_eq!(root.error().as_deref(), Some("boom"));
        assert_eq!(root.number("n"), Some(7.0));
        assert_eq!(root.number("d"), Some(0.5));
        assert_eq!(root.attribute("a"), Some(&serde_json::json!(["x"])));
        assert_eq!(trace.path(&trace.spans[1]), "root > late");
    }

    #[test]
    fn a_pretty_printed_request_reads_too() {
        let value: serde_json::Value = serde_json::from_str(SPAN).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(parse_traces(pretty.as_bytes(), "t").unwrap().len(), 1);
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let cut = &SPAN[..SPAN.len() - 10];
        let text = format!("{SPAN}\n{cut}\n");
        let err = parse_traces(text.as_bytes(), "f.jsonl").unwrap_err();
        let TraceFileError::Malformed { line, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(*line, 3, "EOF after line 2's newline: {err}");
        let bad_id = SPAN.replace("b7ad6b7169203331", "b7ad");
        let err = parse_traces(format!("\n{bad_id}").as_bytes(), "f").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f:2:1: span \"root\": a span id"),
            "{err}"
        );
        let not_hex = SPAN.replace("b7ad6b7169203331", "zzzzzzzzzzzzzzzz");
        let err = parse_traces(not_hex.as_bytes(), "f").unwrap_err();
        assert!(err.to_string().starts_with("f:1:"), "{err}");
        let utf8 = [SPAN.as_bytes(), b"\n{\"resourceSpans\":[{\"x\xff\"}]}"].concat();
        let err = parse_traces(&utf8, "f").unwrap_err();
        assert!(err.to_string().starts_with("f:2:"), "{err}");
    }

    #[test]
    fn an_empty_file_has_no_traces() {
        assert!(parse_traces(b"", "f").unwrap().is_empty());
        assert!(parse_traces(b"\n  \n", "f").unwrap().is_empty());
    }
}
