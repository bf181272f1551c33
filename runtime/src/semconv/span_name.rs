//! How spans are named. A tool's, agent's or workflow's span has a name fixed at compile time
//! (`tracing` keeps it in the callsite's static metadata), so its format is a macro over the
//! operation's one spelling; a model call's or retrieval's name depends on a runtime value (the
//! model, the data source) and goes in `otel.name` through [`SpanName`].

/// The spelling of the operations whose spans are named at compile time; the constants of
/// [`operation`](super::operation) and [`__genai_span_name!`] both read it, so a rename happens
/// here only.
#[doc(hidden)]
#[macro_export]
macro_rules! __genai_operation {
    (execute_tool) => {
        "execute_tool"
    };
    (invoke_agent) => {
        "invoke_agent"
    };
    (invoke_workflow) => {
        "invoke_workflow"
    };
}

/// The span name of a `#[tool]`, `#[agent]` or `#[workflow]` named `$name` (a string literal):
/// `execute_tool {name}`, `invoke_agent {name}`, `invoke_workflow {name}`.
#[doc(hidden)]
#[macro_export]
macro_rules! __genai_span_name {
    (tool, $name:expr) => {
        concat!($crate::__genai_operation!(execute_tool), " ", $name)
    };
    (agent, $name:expr) => {
        concat!($crate::__genai_operation!(invoke_agent), " ", $name)
    };
    (workflow, $name:expr) => {
        concat!($crate::__genai_operation!(invoke_workflow), " ", $name)
    };
}

/// The name of a span named at run time: `{operation} {target}` (a model call's model, a
/// retrieval's data source), or the operation alone.
///
/// ```
/// use genai_tracing::semconv::SpanName;
/// assert_eq!(SpanName("chat", Some("gpt-4o")).to_string(), "chat gpt-4o");
/// assert_eq!(SpanName("retrieval", None).to_string(), "retrieval");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SpanName<'a>(pub &'a str, pub Option<&'a str>);

impl std::fmt::Display for SpanName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(target) => write!(f, "{} {}", self.0, target),
            None => f.write_str(self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::operation;

    #[test]
    fn compile_time_names_are_the_operation_and_the_name() {
        assert_eq!(
            crate::__genai_span_name!(tool, "calculator"),
            format!("{} calculator", operation::EXECUTE_TOOL)
        );
        assert_eq!(
            crate::__genai_span_name!(agent, "researcher"),
            format!("{} researcher", operation::INVOKE_AGENT)
        );
        assert_eq!(
            crate::__genai_span_name!(workflow, "nightly"),
            format!("{} nightly", operation::INVOKE_WORKFLOW)
        );
    }
}
