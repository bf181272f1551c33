//! Prices of your own (private and fine-tuned models, negotiated rates, or a correction to the
//! bundled data), built in code or read from a JSON file, and the [`Cost`] a price gives.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Usage;

/// The cost of one model call (or of a subtree of calls), in US dollars.
///
/// ```
/// let c = genai_tracing::cost::Cost::new(0.25, 0.5);
/// assert_eq!(c.total, 0.75);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    /// Input tokens, cached ones included.
    pub input: f64,
    /// Output tokens, reasoning ones included.
    pub output: f64,
    /// Everything.
    pub total: f64,
}

impl Cost {
    /// Input and output; the total is their sum.
    pub fn new(input: f64, output: f64) -> Self {
        Self {
            input,
            output,
            total: input + output,
        }
    }
}

/// What one model costs, in US dollars per million tokens.
///
/// Cached and reasoning tokens have prices of their own; left unset, cached input costs as input
/// and reasoning costs as output.
///
/// ```
/// use genai_tracing::cost::Price;
/// use genai_tracing::Usage;
/// let price = Price::per_million(3.0, 15.0).cache_read(0.3).cache_write(3.75);
/// // 1,000 input tokens, 600 of them read from the cache; 200 output tokens.
/// let usage = Usage {
///     input_tokens: Some(1_000),
///     cache_read_input_tokens: Some(600),
///     output_tokens: Some(200),
///     ..Usage::default()
/// };
/// let cost = price.cost(&usage).unwrap();
/// assert!((cost.input - (400.0 * 3.0 + 600.0 * 0.3) / 1e6).abs() < 1e-12);
/// assert!((cost.total - cost.input - 200.0 * 15.0 / 1e6).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Input tokens not read from or written to a cache.
    pub input: f64,
    /// Output tokens (reasoning ones too, unless `reasoning` is set).
    pub output: f64,
    /// Input tokens read from the provider's cache.
    #[serde(default)]
    pub cache_read: Option<f64>,
    /// Input tokens written to the provider's cache.
    #[serde(default)]
    pub cache_write: Option<f64>,
    /// Reasoning output tokens.
    #[serde(default)]
    pub reasoning: Option<f64>,
}

impl Price {
    /// Input and output prices per million tokens; cached and reasoning tokens at the same rates.
    pub fn per_million(input: f64, output: f64) -> Self {
        Self {
            input,
            output,
            cache_read: None,
            cache_write: None,
            reasoning: None,
        }
    }

    /// Sets the price of cache reads.
    pub fn cache_read(mut self, per_million: f64) -> Self {
        self.cache_read = Some(per_million);
        self
    }

    /// Sets the price of cache writes.
    pub fn cache_write(mut self, per_million: f64) -> Self {
        self.cache_write = Some(per_million);
        self
    }

    /// Sets the price of reasoning tokens.
    pub fn reasoning(mut self, per_million: f64) -> Self {
        self.reasoning = Some(per_million);
        self
    }

    /// The cost of `usage` at these prices, or `None` when it counts no token or does not add up
    /// (cached tokens above the input, reasoning above the output): never a wrong figure.
    ///
    /// Follows the conventions' counting: input includes the cached tokens, output includes the
    /// reasoning tokens; each token is priced once.
    pub fn cost(&self, usage: &Usage) -> Option<Cost> {
        if usage.input_tokens.is_none() && usage.output_tokens.is_none() {
            return None;
        }
        let n = |count: Option<i64>| count.unwrap_or(0);
        let (read, write) = (
            n(usage.cache_read_input_tokens),
            n(usage.cache_creation_input_tokens),
        );
        let reasoning = n(usage.reasoning_output_tokens);
        let fresh = n(usage.input_tokens)
            .checked_sub(read)
            .and_then(|f| f.checked_sub(write));
        let visible = n(usage.output_tokens).checked_sub(reasoning);
        let (Some(fresh), Some(visible)) = (fresh, visible) else {
            return None;
        };
        if [read, write, fresh, reasoning, visible]
            .iter()
            .any(|c| *c < 0)
        {
            return None;
        }
        let at = |tokens: i64, per_million: f64| tokens as f64 * per_million / 1e6;
        let input = at(fresh, self.input)
            + at(read, self.cache_read.unwrap_or(self.input))
            + at(write, self.cache_write.unwrap_or(self.input));
        let output =
            at(visible, self.output) + at(reasoning, self.reasoning.unwrap_or(self.output));
        Some(Cost::new(input, output))
    }

    fn check(&self) -> Result<(), String> {
        let rates = [
            ("input", Some(self.input)),
            ("output", Some(self.output)),
            ("cache_read", self.cache_read),
            ("cache_write", self.cache_write),
            ("reasoning", self.reasoning),
        ];
        for (name, rate) in rates {
            if let Some(r) = rate.filter(|r| !r.is_finite() || *r < 0.0) {
                return Err(format!("`{name}` is {r}: a price is a finite number ≥ 0"));
            }
        }
        Ok(())
    }
}

/// Prices by model name, consulted before the bundled data (see [`crate::cost`]).
///
/// Names match exactly, ignoring ASCII case. The JSON file form maps each model to its
/// [`Price`] in dollars per million tokens:
///
/// ```
/// use genai_tracing::cost::PriceTable;
/// let table = PriceTable::from_json(r#"{
///     "acme-ft-7b": {"input": 0.5, "output": 1.5},
///     "gpt-4o": {"input": 2.0, "output": 8.0, "cache_read": 1.0}
/// }"#).unwrap();
/// assert_eq!(table.get("ACME-FT-7B").unwrap().output, 1.5);
/// assert!(PriceTable::from_json(r#"{"m": {"input": -1, "output": 1}}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceTable {
    prices: HashMap<String, Price>,
}

impl PriceTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a model's price.
    pub fn with(mut self, model: impl AsRef<str>, price: Price) -> Self {
        self.insert(model, price);
        self
    }

    /// Adds (or replaces) a model's price.
    pub fn insert(&mut self, model: impl AsRef<str>, price: Price) {
        self.prices
            .insert(model.as_ref().to_ascii_lowercase(), price);
    }

    /// The price of `model`, if the table has it.
    pub fn get(&self, model: &str) -> Option<&Price> {
        self.prices.get(&model.to_ascii_lowercase())
    }

    /// Adds (or replaces) every price of `other`.
    ///
    /// ```
    /// use genai_tracing::cost::{Price, PriceTable};
    /// let mut table = PriceTable::new().with("a", Price::per_million(1.0, 2.0));
    /// table.merge(PriceTable::new().with("a", Price::per_million(3.0, 4.0)));
    /// assert_eq!(table.get("a").unwrap().input, 3.0);
    /// ```
    pub fn merge(&mut self, other: PriceTable) {
        self.prices.extend(other.prices);
    }

    /// Whether the table has no price.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Reads the JSON form (see the type's documentation).
    pub fn from_json(json: &str) -> Result<Self, PriceFileError> {
        Self::parse(json, None)
    }

    /// Reads a JSON price file.
    ///
    /// ```
    /// let path = std::env::temp_dir().join("genai-tracing-doc-prices.json");
    /// std::fs::write(&path, r#"{"acme-ft-7b": {"input": 0.5, "output": 1.5}}"#).unwrap();
    /// let table = genai_tracing::cost::PriceTable::load(&path).unwrap();
    /// assert_eq!(table.get("acme-ft-7b").unwrap().input, 0.5);
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, PriceFileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| PriceFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| PriceFileError::Parse {
            path: Some(path.to_owned()),
            message: format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })?;
        Self::parse(&text, Some(path))
    }

    fn parse(json: &str, path: Option<&Path>) -> Result<Self, PriceFileError> {
        let prices: HashMap<String, Price> =
            serde_json::from_str(json).map_err(|e| PriceFileError::Parse {
                path: path.map(Path::to_owned),
                message: e.to_string(),
            })?;
        let mut table = Self::new();
        for (model, price) in prices {
            price.check().map_err(|reason| PriceFileError::Invalid {
                path: path.map(Path::to_owned),
                model: model.clone(),
                reason,
            })?;
            table.insert(model, price);
        }
        Ok(table)
    }
}

/// Why a price file could not be used.
///
/// ```
/// let err = genai_tracing::cost::PriceTable::from_json(r#"{"m": {"input": "cheap", "output": 1}}"#).unwrap_err();
/// assert!(err.to_string().starts_with("malformed price file: invalid type"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum PriceFileError {
    /// The file could not be read.
    #[error("cannot read the price file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a JSON object of prices (serde's message names the line and column).
    #[error("malformed price file{}: {message}", at(path))]
    Parse {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// What is wrong, and where.
        message: String,
    },
    /// A price is negative or not a number.
    #[error("bad price for model {model:?}{}: {reason}", in_file(path))]
    Invalid {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The model whose price is wrong.
        model: String,
        /// What is wrong.
        reason: String,
    },
}

fn in_file(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!(" in {}", p.display()))
        .unwrap_or_default()
}

fn at(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!(" {}", p.display()))
        .unwrap_or_default()
}
