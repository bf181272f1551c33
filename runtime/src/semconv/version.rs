//! The semconv version switch: which generation of GenAI names the spans use.
//!
//! The default is **v1.41**, the last release of the main semantic-conventions repository with the
//! full GenAI set, and what Phoenix 20.x, Langfuse and MLflow read today. `OTEL_SEMCONV_STABILITY_OPT_IN`
//! containing `gen_ai_latest_experimental` (or [`set_semconv_version`]) switches to the latest
//! development names of the GenAI repository. Everything that differs is in [`TABLE`]; all other
//! names are the same in both.

use std::sync::atomic::{AtomicU8, Ordering};

use super::names::{
    GEN_AI_AGENT_ID, GEN_AI_AGENT_VERSION, GEN_AI_PROVIDER_NAME, GEN_AI_REQUEST_TOP_K,
    GEN_AI_RETRIEVAL_TOP_K, GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
};

/// The environment variable read for the opt-in (a comma-separated list).
pub const STABILITY_OPT_IN_ENV: &str = "OTEL_SEMCONV_STABILITY_OPT_IN";

/// The opt-in value that selects the latest experimental GenAI conventions.
pub const GEN_AI_LATEST_EXPERIMENTAL: &str = "gen_ai_latest_experimental";

/// A generation of the GenAI conventions.
///
/// ```
/// use genai_tracing::semconv::version::{SemconvVersion, Versioned};
/// assert_eq!(
///     Versioned::CacheWriteInputTokens.name(SemconvVersion::LatestExperimental),
///     Some("gen_ai.usage.cache_write.input_tokens")
/// );
/// assert_eq!(Versioned::AgentId.name(SemconvVersion::LatestExperimental), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SemconvVersion {
    /// semantic-conventions v1.41 (the default).
    #[default]
    V1_41,
    /// The GenAI repository's latest development names (`gen_ai_latest_experimental`).
    LatestExperimental,
}

impl SemconvVersion {
    /// Reads [`STABILITY_OPT_IN_ENV`]: `gen_ai_latest_experimental` among its comma-separated
    /// values selects [`SemconvVersion::LatestExperimental`]; anything else (other signals' values
    /// such as `http/dup`) leaves v1.41.
    ///
    /// ```
    /// use genai_tracing::semconv::version::SemconvVersion;
    /// std::env::set_var("OTEL_SEMCONV_STABILITY_OPT_IN", "http, gen_ai_latest_experimental");
    /// assert_eq!(SemconvVersion::from_env(), SemconvVersion::LatestExperimental);
    /// ```
    pub fn from_env() -> Self {
        let value = std::env::var(STABILITY_OPT_IN_ENV).unwrap_or_default();
        if value
            .split(',')
            .any(|v| v.trim() == GEN_AI_LATEST_EXPERIMENTAL)
        {
            Self::LatestExperimental
        } else {
            Self::V1_41
        }
    }
}

/// How a versioned attribute's value is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// An OTel int.
    Int,
    /// An OTel double.
    Double,
    /// An OTel string.
    String,
}

/// The attributes whose name, type or presence differs between the versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    /// Input tokens written to the provider's cache (renamed by genai #440).
    CacheWriteInputTokens,
    /// `gen_ai.provider.name` on an in-process agent span (required in v1.41, removed by #289).
    AgentProviderName,
    /// `gen_ai.agent.id` on an in-process agent span (removed by #242).
    AgentId,
    /// `gen_ai.agent.version` on an in-process agent span (removed by #322).
    AgentVersion,
    /// The top-K decoding parameter (a double in v1.41, an int since genai #217).
    RequestTopK,
    /// The number of documents a retrieval asks for (`gen_ai.request.top_k` in v1.41,
    /// `gen_ai.retrieval.top_k` since genai #217).
    RetrievalTopK,
}

/// An attribute's name and value type in one version.
pub type Spelling = (&'static str, ValueType);

/// One row of [`TABLE`]: how each version spells a field (`None`: not emitted).
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The field.
    pub field: Versioned,
    /// Its spelling in semconv v1.41.
    pub v1_41: Option<Spelling>,
    /// Its spelling in the latest experimental names.
    pub latest: Option<Spelling>,
}

/// Every attribute whose name, type or presence differs between the versions.
pub const TABLE: [Row; 6] = [
    Row {
        field: Versioned::CacheWriteInputTokens,
        v1_41: Some((GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, ValueType::Int)),
        latest: Some((GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, ValueType::Int)),
    },
    Row {
        field: Versioned::AgentProviderName,
        v1_41: Some((GEN_AI_PROVIDER_NAME, ValueType::String)),
        latest: None,
    },
    Row {
        field: Versioned::AgentId,
        v1_41: Some((GEN_AI_AGENT_ID, ValueType::String)),
        latest: None,
    },
    Row {
        field: Versioned::AgentVersion,
        v1_41: Some((GEN_AI_AGENT_VERSION, ValueType::String)),
        latest: None,
    },
    Row {
        field: Versioned::RequestTopK,
        v1_41: Some((GEN_AI_REQUEST_TOP_K, ValueType::Double)),
        latest: Some((GEN_AI_REQUEST_TOP_K, ValueType::Int)),
    },
    Row {
        field: Versioned::RetrievalTopK,
        v1_41: Some((GEN_AI_REQUEST_TOP_K, ValueType::Double)),
        latest: Some((GEN_AI_RETRIEVAL_TOP_K, ValueType::Int)),
    },
];

impl Versioned {
    /// The attribute's name and type in `version`, or `None` when that version does not emit it.
    pub fn spelling(self, version: SemconvVersion) -> Option<Spelling> {
        let row = TABLE
            .iter()
            .find(|row| row.field == self)
            .expect("every field is in the table");
        match version {
            SemconvVersion::V1_41 => row.v1_41,
            SemconvVersion::LatestExperimental => row.latest,
        }
    }

    /// The attribute's name in `version`, or `None` when that version does not emit it.
    pub fn name(self, version: SemconvVersion) -> Option<&'static str> {
        self.spelling(version).map(|(name, _)| name)
    }
}

const UNRESOLVED: u8 = 0;
const V1_41: u8 = 1;
const LATEST: u8 = 2;

static VERSION: AtomicU8 = AtomicU8::new(UNRESOLVED);

/// Selects the names spans use from now on, overriding the environment.
///
/// ```
/// use genai_tracing::semconv::version::{set_semconv_version, semconv_version, SemconvVersion};
/// set_semconv_version(SemconvVersion::LatestExperimental);
/// assert_eq!(semconv_version(), SemconvVersion::LatestExperimental);
/// ```
pub fn set_semconv_version(version: SemconvVersion) {
    VERSION.store(encode(version), Ordering::Relaxed);
}

/// The names in force: set in code, else read once from [`STABILITY_OPT_IN_ENV`].
pub fn semconv_version() -> SemconvVersion {
    match VERSION.load(Ordering::Relaxed) {
        V1_41 => SemconvVersion::V1_41,
        LATEST => SemconvVersion::LatestExperimental,
        _ => {
            let _ = VERSION.compare_exchange(
                UNRESOLVED,
                encode(SemconvVersion::from_env()),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            semconv_version()
        }
    }
}

fn encode(version: SemconvVersion) -> u8 {
    match version {
        SemconvVersion::V1_41 => V1_41,
        SemconvVersion::LatestExperimental => LATEST,
    }
}

/// `value` when the version in force emits `field`, else nothing (used by the span declarations).
#[doc(hidden)]
#[inline]
pub fn versioned<T>(field: Versioned, value: T) -> Option<T> {
    field.name(semconv_version()).map(|_| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_versioned_field_has_one_row() {
        for f in [
            Versioned::CacheWriteInputTokens,
            Versioned::AgentProviderName,
            Versioned::AgentId,
            Versioned::AgentVersion,
            Versioned::RequestTopK,
            Versioned::RetrievalTopK,
        ] {
            assert_eq!(
                TABLE.iter().filter(|row| row.field == f).count(),
                1,
                "{f:?}"
            );
        }
    }
}
