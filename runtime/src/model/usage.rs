//! Token usage of one model call, in the conventions' terms.

/// Token counts of one model call.
///
/// Follows the GenAI conventions: `input_tokens` counts **all** input tokens, cached ones included,
/// and the cache counts are subsets of it; `output_tokens` includes reasoning tokens. Providers
/// that report cache tokens apart from input (Anthropic) are normalised by the code that builds
/// this value. Counts are `i64` because OpenTelemetry has no unsigned integers.
///
/// ```
/// use genai_tracing::Usage;
/// let u = Usage { input_tokens: Some(120), output_tokens: Some(30), ..Usage::default() };
/// assert_eq!(u.total_tokens(), Some(150));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// All input tokens, cached ones included.
    pub input_tokens: Option<i64>,
    /// All output tokens, reasoning ones included.
    pub output_tokens: Option<i64>,
    /// Input tokens read from the provider's cache.
    pub cache_read_input_tokens: Option<i64>,
    /// Input tokens written to the provider's cache.
    pub cache_creation_input_tokens: Option<i64>,
    /// Reasoning ("thinking") output tokens.
    pub reasoning_output_tokens: Option<i64>,
}

impl Usage {
    /// Input plus output, when both are known.
    pub fn total_tokens(&self) -> Option<i64> {
        Some(self.input_tokens? + self.output_tokens?)
    }

    /// Lays a later report over this one: each count it gives replaces the earlier (providers
    /// stream running totals), the others stand.
    ///
    /// ```
    /// use genai_tracing::Usage;
    /// let mut u = Usage { input_tokens: Some(10), output_tokens: Some(1), ..Usage::default() };
    /// u.overlay(Usage { output_tokens: Some(42), ..Usage::default() });
    /// assert_eq!((u.input_tokens, u.output_tokens), (Some(10), Some(42)));
    /// ```
    pub fn overlay(&mut self, later: Usage) {
        let counts = [
            (&mut self.input_tokens, later.input_tokens),
            (&mut self.output_tokens, later.output_tokens),
            (
                &mut self.cache_read_input_tokens,
                later.cache_read_input_tokens,
            ),
            (
                &mut self.cache_creation_input_tokens,
                later.cache_creation_input_tokens,
            ),
            (
                &mut self.reasoning_output_tokens,
                later.reasoning_output_tokens,
            ),
        ];
        for (count, later) in counts {
            if later.is_some() {
                *count = later;
            }
        }
    }

    /// Whether no count is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
