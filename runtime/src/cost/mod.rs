//! What a model call cost, in US dollars, from its token usage and the model's prices.
//!
//! Prices come from your own [`PriceTable`] first ([`set_prices`], or the JSON file named by
//! [`PRICES_ENV`], read by [`Builder::from_env`](crate::Builder::from_env)), then from the
//! [`genai-prices`](https://github.com/pydantic/genai-prices) data bundled with this release
//! (pydantic's maintained database: OpenAI, Anthropic, Google, Mistral, Bedrock, Azure and more,
//! with cache and tiered rates; the `prices` feature, on by default). A model found in neither
//! gets no cost, and one warning, never a guessed figure.
//!
//! Every `#[llm_call]` span carries its cost under three names, so each platform shows the same
//! number: `genai_tracing.cost.usd` (this crate's, the total), `llm.cost.prompt` /
//! `llm.cost.completion` / `llm.cost.total` (OpenInference, Phoenix), and
//! `langfuse.observation.cost_details` (`{"input":…,"output":…,"total":…}`). An `#[agent]` span
//! carries the summed tokens and cost of the model calls beneath it.
//!
//! ```
//! use genai_tracing::{cost, Usage};
//! let usage = Usage {
//!     input_tokens: Some(1_000),
//!     cache_read_input_tokens: Some(200),
//!     output_tokens: Some(500),
//!     ..Usage::default()
//! };
//! // gpt-4o-mini: $0.15 per million input tokens, $0.075 cached, $0.60 output.
//! let c = cost::cost_of(Some("openai"), "gpt-4o-mini", &usage).unwrap();
//! assert!((c.total - (800.0 * 0.15 + 200.0 * 0.075 + 500.0 * 0.6) / 1e6).abs() < 1e-12);
//! ```

mod table;

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError, RwLock};

pub use table::{Cost, Price, PriceFileError, PriceTable};

use crate::model::Usage;

/// The environment variable naming a JSON price file (see [`PriceTable`]).
pub const PRICES_ENV: &str = "GENAI_TRACING_PRICES";

/// Warnings about unpriced models stop after this many distinct names.
const MAX_WARNED_MODELS: usize = 256;

static OVERRIDES: LazyLock<RwLock<PriceTable>> = LazyLock::new(Default::default);
static WARNED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Replaces the prices of your own (an empty table removes them).
///
/// ```
/// use genai_tracing::cost::{Price, PriceTable};
/// use genai_tracing::{cost, Usage};
/// cost::set_prices(PriceTable::new().with("acme-ft-7b", Price::per_million(1.0, 2.0)));
/// let usage = Usage { input_tokens: Some(1_000_000), output_tokens: Some(0), ..Usage::default() };
/// assert_eq!(cost::cost_of(None, "acme-ft-7b", &usage).unwrap().total, 1.0);
/// ```
pub fn set_prices(table: PriceTable) {
    *OVERRIDES.write().unwrap_or_else(PoisonError::into_inner) = table;
}

/// Adds (or replaces) the price of one model in the prices of your own.
///
/// ```
/// use genai_tracing::cost::Price;
/// use genai_tracing::cost;
/// cost::set_price("my-finetune", Price::per_million(0.3, 1.2));
/// ```
pub fn set_price(model: impl AsRef<str>, price: Price) {
    OVERRIDES
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(model, price);
}

/// Reads the price file named by [`PRICES_ENV`], if set, into the prices of your own.
pub(crate) fn load_from_env() -> Result<(), PriceFileError> {
    let Some(path) = std::env::var_os(PRICES_ENV).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let file = PriceTable::load(path)?;
    OVERRIDES
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .merge(file);
    Ok(())
}

/// The cost of `usage` on `model`, or `None` when no price is known for it or the usage counts
/// no token (or does not add up). `provider` is `gen_ai.provider.name` (`openai`, `anthropic`,
/// `aws.bedrock`, …): only that provider's bundled prices apply, so a model of the same name
/// served elsewhere is not priced by another's list; `None` matches the model by name among all
/// providers.
pub fn cost_of(provider: Option<&str>, model: &str, usage: &Usage) -> Option<Cost> {
    let own = OVERRIDES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(model)
        .copied();
    match own {
        Some(price) => price.cost(usage),
        None => bundled(provider, model, usage),
    }
}

/// Whether a price is known for `model` (in your prices or the bundled data).
///
/// ```
/// use genai_tracing::cost::is_priced;
/// assert!(is_priced(Some("anthropic"), "claude-sonnet-4-5"));
/// assert!(!is_priced(Some("openai"), "my-finetune-nobody-priced"));
/// ```
pub fn is_priced(provider: Option<&str>, model: &str) -> bool {
    let one = Usage {
        input_tokens: Some(1),
        output_tokens: Some(1),
        ..Usage::default()
    };
    cost_of(provider, model, &one).is_some()
}

/// Loads the bundled price data now rather than in the first priced model call: about 60 ms in
/// a release build (measured here), spent after the call's span has ended, so it would show as a
/// gap in the trace. [`Builder::install`](crate::Builder::install) calls it; call it at startup
/// when you install your own subscriber.
///
/// ```
/// genai_tracing::cost::preload(); // once, at startup
/// ```
pub fn preload() {
    #[cfg(feature = "prices")]
    let _ = genai_prices::Calculator::bundled();
}

/// Without the `prices` feature there is no bundled data: only your own prices apply.
#[cfg(not(feature = "prices"))]
fn bundled(_: Option<&str>, _: &str, _: &Usage) -> Option<Cost> {
    None
}

#[cfg(feature = "prices")]
fn bundled(provider: Option<&str>, model: &str, usage: &Usage) -> Option<Cost> {
    if usage.input_tokens.is_none() && usage.output_tokens.is_none() {
        return None;
    }
    let mut counts = genai_prices::Usage::new();
    let keys = [
        (genai_prices::UsageKey::INPUT_TOKENS, usage.input_tokens),
        (genai_prices::UsageKey::OUTPUT_TOKENS, usage.output_tokens),
        (
            genai_prices::UsageKey::CACHE_READ_TOKENS,
            usage.cache_read_input_tokens,
        ),
        (
            genai_prices::UsageKey::CACHE_WRITE_TOKENS,
            usage.cache_creation_input_tokens,
        ),
        (
            genai_prices::UsageKey::OUTPUT_REASONING_TOKENS,
            usage.reasoning_output_tokens,
        ),
    ];
    for (key, count) in keys {
        if let Some(n) = count {
            counts.insert(key, n as f64);
        }
    }
    let calculate = |provider: Option<&str>| {
        let request = genai_prices::PriceRequest::new(model, &counts);
        let request = match provider {
            Some(p) => request.with_provider_id(p),
            None => request,
        };
        genai_prices::calculate(&request)
    };
    // Only the provider's own prices: a model of the same name served elsewhere (self-hosted, or
    // behind a gateway speaking another provider's API) may cost something else entirely.
    let price = calculate(provider.map(provider_id)).ok()?;
    Some(Cost {
        input: price.input_price,
        output: price.output_price,
        total: price.total_price,
    })
}

#[cfg(feature = "prices")]
/// `gen_ai.provider.name` as genai-prices' provider id (the conventions' well-known names; any
/// other is taken as the id itself, e.g. `together`, `fireworks`, `openrouter`).
fn provider_id(provider: &str) -> &str {
    match provider {
        "openai" => "openai",
        "anthropic" => "anthropic",
        "aws.bedrock" => "aws",
        "azure.ai.openai" | "azure.ai.inference" => "azure",
        "gcp.gemini" | "gcp.vertex_ai" | "gcp.gen_ai" => "google",
        "mistral_ai" => "mistral",
        "x_ai" => "x-ai",
        "deepseek" => "deepseek",
        "groq" => "groq",
        "cohere" => "cohere",
        "perplexity" => "perplexity",
        other => other,
    }
}

/// Whether `key` (a model, or a kind of warning about one) is warned about for the first time
/// (and remembers it).
pub(crate) fn first_warning(key: &str) -> bool {
    let mut warned = WARNED.lock().unwrap_or_else(PoisonError::into_inner);
    let warned = warned.get_or_insert_with(HashSet::new);
    warned.len() < MAX_WARNED_MODELS && warned.insert(key.to_owned())
}

/// A dollar figure as recorded: to the nearest 10⁻¹² USD, so that sums print as the decimals
/// they are (`0.0000405`, not `0.000040499999999999995`).
pub(crate) fn recorded(usd: f64) -> f64 {
    (usd * 1e12).round() / 1e12
}
