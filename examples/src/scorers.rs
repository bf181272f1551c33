//! The demo's scorer: the one line of the calculator exercise that flags a confidently wrong
//! answer, by checking every calculator result against an independent evaluation.

use genai_tracing::eval::{rule, Scorer, Trace, TraceSpan, Verdict};

use crate::tools::evaluate;

/// `arithmetic`: fails a run whose calculator returned a wrong value, on the calculator span
/// where the wrong value entered. Needs content capture (the tool's arguments and result):
/// without it, or without a calculator call to check, the run is not checked.
///
/// ```
/// use futures_util::FutureExt as _;
/// use genai_tracing::eval::{Outcome, Scorer, Trace};
/// let arithmetic = genai_tracing_examples::scorers::arithmetic();
/// assert_eq!(arithmetic.name(), "arithmetic");
/// let trace = Trace::default();
/// let verdict = arithmetic.score(&trace).now_or_never().unwrap().unwrap();
/// assert_eq!(verdict.outcome, Outcome::NotChecked);
/// assert_eq!(verdict.explanation.as_deref(), Some("no calculator call"));
/// ```
pub fn arithmetic() -> impl Scorer {
    rule("arithmetic", |t: &Trace| {
        let mut checked = 0;
        for call in t.tool_calls("calculator") {
            match check(call) {
                Some(Ok(())) => checked += 1,
                Some(Err(wrong)) => return wrong,
                None => {}
            }
        }
        match checked {
            0 => unchecked(t),
            _ => Verdict::pass(),
        }
    })
}

/// Why no calculator call could be checked.
fn unchecked(trace: &Trace) -> Verdict {
    let mut calls = trace.tool_calls("calculator").peekable();
    if calls.peek().is_none() {
        return Verdict::not_checked("no calculator call");
    }
    match calls.any(|c| c.input().is_none()) {
        true => Verdict::not_checked("content not captured"),
        false => Verdict::not_checked("no calculator result to check"),
    }
}

/// One calculator call checked: `Err` with the failing verdict when its result is not the
/// expression's value; `None` when it cannot be checked (no captured arguments or result, an
/// expression that does not evaluate).
fn check(call: &TraceSpan) -> Option<Result<(), Verdict>> {
    let arguments: serde_json::Value = serde_json::from_str(&call.input()?).ok()?;
    let expr = arguments["expr"].as_str()?;
    let returned: f64 = call.output()?.parse().ok()?;
    let right = evaluate(expr).ok()?;
    if (returned - right).abs() <= 1e-9 {
        return Some(Ok(()));
    }
    Some(Err(Verdict::fail(format!(
        "calculator returned {returned} for {expr}, which is {right}"
    ))
    .on(call)))
}
