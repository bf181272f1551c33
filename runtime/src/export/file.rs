//! The file exporter: traces appended to a file as OTLP-JSON, one trace per line.
//!
//! Each line is an OTLP `ExportTraceServiceRequest` in the protocol's JSON encoding (hex ids,
//! camelCase fields, nanosecond times as strings), the same body OTLP/HTTP JSON posts, holding
//! the spans of one trace. [`Builder::file`](crate::Builder::file) puts the exporter behind the
//! tail sampler's assembly, so a trace arrives whole and is one line; a span that ends after its
//! root (a task left running) is written later, on a line of its own with the same trace id.
//! Readers should group lines by `traceId`.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use super::console::by_trace;

/// Appends each trace as a line of OTLP-JSON to this file (see [`FileExporter`]).
pub const FILE_ENV: &str = "GENAI_TRACING_FILE";

/// Appends each trace to a file as one line of OTLP-JSON.
///
/// ```
/// let dir = std::env::temp_dir().join("genai-tracing-doc-file-exporter");
/// let exporter = genai_tracing::export::FileExporter::append(dir.join("traces.jsonl"))?;
/// assert!(exporter.path().ends_with("traces.jsonl"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FileExporter {
    path: PathBuf,
    file: Mutex<BufWriter<File>>,
    resource: ResourceAttributesWithSchema,
}

impl FileExporter {
    /// Opens `path` for appending, creating it and its directories if need be.
    pub fn append(path: impl Into<PathBuf>) -> std::io::Result<Self> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Self {
            path,
            file: Mutex::new(BufWriter::new(file)),
            resource: ResourceAttributesWithSchema::default(),
        })
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl SpanExporter for FileExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut lines = Vec::new();
        for (_, spans) in by_trace(batch) {
            let request = ExportTraceServiceRequest {
                resource_spans: group_spans_by_resource_and_scope(spans, &self.resource),
            };
            serde_json::to_writer(&mut lines, &request)
                .map_err(|e| OTelSdkError::InternalFailure(format!("OTLP-JSON: {e}")))?;
            lines.push(b'\n');
        }
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(&lines)
            .and_then(|()| file.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("{}: {e}", self.path.display())))
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}
