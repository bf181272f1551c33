//! The demo's scorer: the one line of the calculator exercise that flags a confidently wrong
//! answer, by checking every calculator result against an independent evaluation.

use genai_tracing::eval::{rule, Scorer, Trace, TraceSpan, Verdict};

use crate::tools::evaluate;

/// `arithmetic`: fails a run whose calculator returned a wrong value, on the calculator span
/// where the wrong value entered. Needs content capture (the tool's arguments and result);
/// without it there is nothing to check and the run passes.
///
/// ```
/// use genai_tracing::eval::Scorer;
/// assert_eq!(genai_tracing_examples::scorers::arithmetic().name(), "arithmetic");
/// ```
pub fn arithmetic() -> impl Scorer {
    rule("arithmetic", |t: &Trace| {
        t.tool_calls("calculator")
            .find_map(wrong)
            .unwrap_or_else(|| checked(t))
    })
}

/// A pass, saying when there was nothing to check.
fn checked(trace: &Trace) -> Verdict {
    match trace.tool_calls("calculator").any(|c| c.input().is_none()) {
        true => Verdict::pass().because("content not captured: nothing checked"),
        false => Verdict::pass(),
    }
}

/// The verdict on one calculator call, if its result is not the expression's value.
fn wrong(call: &TraceSpan) -> Option<Verdict> {
    let arguments: serde_json::Value = serde_json::from_str(&call.input()?).ok()?;
    let expr = arguments["expr"].as_str()?;
    let returned: f64 = call.output()?.parse().ok()?;
    let right = evaluate(expr).ok()?;
    ((returned - right).abs() > 1e-9).then(|| {
        Verdict::fail(format!(
            "calculator returned {returned} for {expr}, which is {right}"
        ))
        .on(call)
    })
}
