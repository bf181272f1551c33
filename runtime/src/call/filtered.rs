//! A GenAI span that a filter of the `tracing` subscriber turned off while this crate's pipeline
//! is installed: every such span is lost, so the first one is said on stderr, with what to do.
//! (A global `EnvFilter` at `warn`, or unset and so at `error`, turns every GenAI span off: they
//! are INFO, with the instrumented function's module as target.)

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use tracing::Span;

static INSTALLED: AtomicBool = AtomicBool::new(false);
static WARNED: AtomicBool = AtomicBool::new(false);

/// A pipeline of this crate is installed (by `Builder::install` or `Builder::layer`): from now on
/// a disabled GenAI span is a lost one.
pub(crate) fn pipeline_installed() {
    INSTALLED.store(true, Relaxed);
}

/// Notes that `span`, a GenAI span just created, is disabled.
#[inline]
pub(crate) fn disabled(span: &Span) {
    if INSTALLED.load(Relaxed) && !WARNED.load(Relaxed) && !WARNED.swap(true, Relaxed) {
        warn(span);
    }
}

#[cold]
fn warn(span: &Span) {
    // A disabled span keeps its metadata only with `tracing`'s `log` feature.
    let which = match span.metadata() {
        Some(meta) => format!("the span `{}` (target `{}`)", meta.name(), meta.target()),
        None => "a GenAI span".to_owned(),
    };
    eprintln!(
        "genai-tracing: {which} was turned off by a filter of the tracing subscriber, so it is \
         not exported (said once, for every such span). GenAI spans are INFO with the \
         instrumented function's module as target: filter the app's logs on their own layer \
         (`fmt::layer().with_filter(EnvFilter::from_default_env())`), or add the directive \
         `[{{gen_ai.operation.name}}]=info` to a global filter."
    );
}
