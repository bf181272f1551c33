//! Trace context across process boundaries: W3C `traceparent`/`tracestate` and `baggage`.
//!
//! When an orchestrator hands work to a sub-agent in another process, the sub-agent's spans belong
//! under the orchestrator's call. The caller [`inject`]s the context of its current span into the
//! request's headers; the callee [`extract`]s it and makes its `#[agent]` span a child of it with
//! the macro option `parent = ..` (see [`Parent`]). The trace attributes in force ride along in
//! `baggage` (`session.id`, `user.id`, `gen_ai.conversation.id`), so the remote spans carry the same
//! session and user.
//!
//! The encoding is OpenTelemetry's own W3C propagators (`TraceContextPropagator` and
//! `BaggagePropagator`, composed), over `http::HeaderMap` (reqwest, axum, hyper) or any
//! [`Injector`]/[`Extractor`], such as the JSON object of an MCP request's `params._meta`
//! ([`JsonInjector`], [`JsonExtractor`]). Baggage is sent to whoever the request goes to: propagate to your own
//! services, not to third parties.

use std::sync::OnceLock;

use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapCompositePropagator, TextMapPropagator,
};
use opentelemetry::trace::TraceContextExt;
use opentelemetry::{Context, KeyValue};
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use serde_json::{Map, Value};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::scope::TraceAttributes;
use crate::semconv as sc;

/// The trace attributes that ride in `baggage`, by their attribute (and baggage) names.
const CARRIED: [&str; 3] = [sc::SESSION_ID, sc::USER_ID, sc::GEN_AI_CONVERSATION_ID];

/// The W3C trace-context and baggage propagators, composed; the one [`crate::init`] also installs
/// as OpenTelemetry's global propagator.
///
/// ```
/// use opentelemetry::propagation::TextMapPropagator as _;
/// let mut fields: Vec<&str> = genai_tracing::propagation::propagator().fields().collect();
/// fields.sort(); // the composite's order is unspecified
/// assert_eq!(fields, ["baggage", "traceparent", "tracestate"]);
/// ```
pub fn propagator() -> &'static TextMapCompositePropagator {
    static PROPAGATOR: OnceLock<TextMapCompositePropagator> = OnceLock::new();
    PROPAGATOR.get_or_init(w3c)
}

/// A new composite of the W3C propagators (for installing as the global one).
pub(crate) fn w3c() -> TextMapCompositePropagator {
    TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(BaggagePropagator::new()),
    ])
}

/// Writes the current span's context (`traceparent`, `tracestate`) and the trace attributes in
/// force (`baggage`) into `headers`, for an outgoing request.
///
/// Outside any recorded span nothing but the baggage is written, and without trace attributes
/// either, nothing at all: the callee then starts a trace of its own.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// genai_tracing::TraceAttributes::new()
///     .session("chat-42")
///     .in_scope(|| genai_tracing::propagation::inject(&mut headers));
/// assert_eq!(headers["baggage"], "session.id=chat-42");
/// ```
pub fn inject(headers: &mut http::HeaderMap) {
    inject_into(&mut HeaderInjector(headers));
}

/// Reads the context a caller sent in `headers` (see [`inject`]). Pass it to `parent = ..` of the
/// handler's `#[agent]`.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "traceparent",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap(),
/// );
/// let remote = genai_tracing::propagation::extract(&headers);
/// assert_eq!(remote.trace_id().as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// ```
pub fn extract(headers: &http::HeaderMap) -> RemoteContext {
    extract_from(&HeaderExtractor(headers))
}

/// [`inject`] into any carrier.
///
/// ```
/// let mut carrier = std::collections::HashMap::new();
/// genai_tracing::TraceAttributes::new()
///     .session("chat-42")
///     .in_scope(|| genai_tracing::propagation::inject_into(&mut carrier));
/// assert_eq!(carrier["baggage"], "session.id=chat-42");
/// ```
pub fn inject_into(carrier: &mut dyn Injector) {
    propagator().inject_context(&outgoing_context(), carrier);
}

/// [`extract`] from any carrier.
///
/// ```
/// let carrier = std::collections::HashMap::from([(
///     "traceparent".to_owned(),
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
/// )]);
/// let remote = genai_tracing::propagation::extract_from(&carrier);
/// assert_eq!(remote.span_id().as_deref(), Some("00f067aa0ba902b7"));
/// ```
pub fn extract_from(carrier: &dyn Extractor) -> RemoteContext {
    RemoteContext {
        context: propagator().extract(carrier),
    }
}

/// The current span's OpenTelemetry context, with the trace attributes in force laid over the
/// baggage it already carries (baggage received from a caller is passed on).
fn outgoing_context() -> Context {
    let context = tracing::Span::current().context();
    let Some(attributes) = TraceAttributes::current() else {
        return context;
    };
    let ids = [
        &attributes.session_id,
        &attributes.user_id,
        &attributes.conversation_id,
    ];
    let entries: Vec<KeyValue> = CARRIED
        .iter()
        .zip(ids)
        .filter_map(|(key, id)| Some(KeyValue::new(*key, id.clone()?)))
        .collect();
    if entries.is_empty() {
        return context;
    }
    let mut baggage: Vec<KeyValue> = context
        .baggage()
        .iter()
        .filter(|(key, _)| !CARRIED.contains(&key.as_str()))
        .map(|(key, (value, _))| KeyValue::new(key.clone(), value.clone()))
        .collect();
    baggage.extend(entries);
    context.with_baggage(baggage)
}

/// The context a caller propagated: its span (the parent of ours) and its baggage.
///
/// Use it as `parent = ..` of an instrumented function, or pass [`RemoteContext::context`] to
/// `tracing_opentelemetry::OpenTelemetrySpanExt::set_parent` for a span of your own.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap());
/// headers.insert("baggage", "session.id=chat-42,user.id=ann".parse().unwrap());
/// let remote = genai_tracing::propagation::extract(&headers);
/// assert!(remote.is_valid());
/// assert_eq!(remote.trace_id().as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// assert_eq!(remote.attributes().user_id.as_deref(), Some("ann"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RemoteContext {
    context: Context,
}

impl RemoteContext {
    /// Whether the caller sent a valid span context (a `traceparent` that parsed).
    pub fn is_valid(&self) -> bool {
        self.context.span().span_context().is_valid()
    }

    /// The caller's trace id, in hex, if it sent one.
    pub fn trace_id(&self) -> Option<String> {
        self.is_valid()
            .then(|| self.context.span().span_context().trace_id().to_string())
    }

    /// The caller's span id, in hex, if it sent one.
    pub fn span_id(&self) -> Option<String> {
        self.is_valid()
            .then(|| self.context.span().span_context().span_id().to_string())
    }

    /// The trace attributes the caller sent in `baggage`.
    pub fn attributes(&self) -> TraceAttributes {
        attributes_of(&self.context)
    }

    /// The OpenTelemetry context: the remote span and the baggage.
    pub fn context(&self) -> &Context {
        &self.context
    }
}

/// Session, user and conversation from a context's baggage.
fn attributes_of(context: &Context) -> TraceAttributes {
    let baggage = context.baggage();
    let get = |key: &str| baggage.get(key).map(|v| v.as_str().to_owned());
    TraceAttributes {
        session_id: get(sc::SESSION_ID),
        user_id: get(sc::USER_ID),
        conversation_id: get(sc::GEN_AI_CONVERSATION_ID),
        ..TraceAttributes::default()
    }
}

/// What `parent = ..` of the macros accepts: something that names the parent of a new span.
///
/// Implemented for [`RemoteContext`], an OpenTelemetry [`Context`], a `tracing::Span` (the span's
/// OpenTelemetry context), and `Option`s and references of these. A parent with no valid span
/// context (a request that carried no `traceparent`) leaves the span under its local parent.
///
/// ```
/// use genai_tracing::propagation::RemoteContext;
/// use genai_tracing::agent;
///
/// #[agent(name = "sub-agent", parent = remote)]
/// async fn handle(remote: RemoteContext, task: String) -> String {
///     task.to_uppercase()
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the parent of a span",
    label = "expected a `RemoteContext` (from `genai_tracing::propagation::extract`), an `opentelemetry::Context` or a `tracing::Span`",
    note = "`parent = ..` takes the context a caller propagated: `parent = genai_tracing::propagation::extract(&headers)`"
)]
pub trait Parent {
    /// The OpenTelemetry context of the parent, if there is one.
    fn parent_context(&self) -> Option<Context>;
}

// Not recommended, each: the error's label already names what `parent = ..` takes, and rustc
// would list `tracing::Span` by the path of the macros' hidden re-export.
#[diagnostic::do_not_recommend]
impl Parent for RemoteContext {
    fn parent_context(&self) -> Option<Context> {
        Some(self.context.clone())
    }
}

#[diagnostic::do_not_recommend]
impl Parent for Context {
    fn parent_context(&self) -> Option<Context> {
        Some(self.clone())
    }
}

#[diagnostic::do_not_recommend]
impl Parent for tracing::Span {
    fn parent_context(&self) -> Option<Context> {
        Some(self.context())
    }
}

#[diagnostic::do_not_recommend]
impl<P: Parent> Parent for Option<P> {
    fn parent_context(&self) -> Option<Context> {
        self.as_ref()?.parent_context()
    }
}

#[diagnostic::do_not_recommend]
impl<P: Parent + ?Sized> Parent for &P {
    fn parent_context(&self) -> Option<Context> {
        (**self).parent_context()
    }
}

/// What a parent gives a new span: the context to parent it on, if it names a valid span, and the
/// trace attributes from its baggage.
pub(crate) fn adopt(parent: Option<Context>) -> (Option<Context>, TraceAttributes) {
    let Some(context) = parent else {
        return (None, TraceAttributes::default());
    };
    let attributes = attributes_of(&context);
    let valid = context.span().span_context().is_valid();
    (valid.then_some(context), attributes)
}

/// A JSON object as a carrier to inject into: the `params._meta` of an MCP request, where the W3C
/// keys go unprefixed (`traceparent`, `tracestate`, `baggage`).
///
/// ```
/// use genai_tracing::propagation::JsonInjector;
/// let mut meta = serde_json::Map::new();
/// genai_tracing::TraceAttributes::new()
///     .user("ann")
///     .in_scope(|| genai_tracing::propagation::inject_into(&mut JsonInjector(&mut meta)));
/// assert_eq!(meta["baggage"], "user.id=ann");
/// ```
pub struct JsonInjector<'a>(pub &'a mut Map<String, Value>);

impl Injector for JsonInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), Value::String(value));
    }
}

/// A JSON object as a carrier to extract from (see [`JsonInjector`]). Only string values are read.
///
/// ```
/// use genai_tracing::propagation::JsonExtractor;
/// let meta = serde_json::json!({"baggage": "user.id=ann"});
/// let remote = genai_tracing::propagation::extract_from(&JsonExtractor(meta.as_object().unwrap()));
/// assert_eq!(remote.attributes().user_id.as_deref(), Some("ann"));
/// ```
pub struct JsonExtractor<'a>(pub &'a Map<String, Value>);

impl Extractor for JsonExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key)?.as_str()
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}
