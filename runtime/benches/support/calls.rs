//! The calls the benches time side by side: a bare function, and the same body as a `#[tool]`.

/// The bare function.
#[inline(never)]
pub(crate) fn bare(a: i64, b: i64) -> i64 {
    a.wrapping_mul(31).wrapping_add(b)
}

/// Combines two numbers.
#[genai_tracing::tool]
#[inline(never)]
pub(crate) fn instrumented(a: i64, b: i64) -> i64 {
    a.wrapping_mul(31).wrapping_add(b)
}
