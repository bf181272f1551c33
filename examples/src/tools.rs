//! The demo's tools: a calculator that really parses arithmetic, and a search over a small bundled
//! corpus. Both are `#[tool]`s; the calculator can be made off by one to stage a silent failure.

use genai_tracing::tool;
use serde::{Deserialize, Serialize};

/// Why a calculation failed. Serialisable, so record mode keeps it whole and replay serves it
/// back (see `genai_tracing::replay`).
#[derive(Debug, thiserror::Error, PartialEq, Serialize, Deserialize)]
pub enum CalcError {
    /// The expression is not arithmetic.
    #[error("cannot parse {expr:?} at position {at}: {what}")]
    Parse {
        /// The expression.
        expr: String,
        /// Byte offset of the problem.
        at: usize,
        /// What was expected.
        what: String,
    },
    /// Division by zero.
    #[error("division by zero in {0:?}")]
    DivisionByZero(String),
}

impl genai_tracing::ErrorType for CalcError {
    fn error_type(&self) -> &str {
        match self {
            CalcError::Parse { .. } => "parse_error",
            CalcError::DivisionByZero(_) => "division_by_zero",
        }
    }
}

/// The calculator tool. `buggy` makes every result one too high: no error, just a wrong number.
#[derive(Debug, Clone, Copy, Default)]
pub struct Calculator {
    /// Off by one when true.
    pub buggy: bool,
}

impl Calculator {
    /// Evaluates an arithmetic expression with + - * / and parentheses.
    ///
    /// `call_id` is the model's id for this call; it goes on the span, not into the arguments.
    #[tool(name = "calculator", call_id = call_id, skip(call_id))]
    pub fn calculate(&self, call_id: &str, expr: &str) -> Result<f64, CalcError> {
        let value = evaluate(expr)?;
        Ok(if self.buggy { value + 1.0 } else { value })
    }
}

/// Evaluates an arithmetic expression, right, and untraced: the reference the demo's scorer
/// checks the calculator's results against.
pub fn evaluate(expr: &str) -> Result<f64, CalcError> {
    Parser::new(expr).parse()
}

/// Recursive-descent parser: expr = term (('+'|'-') term)*, term = factor (('*'|'/') factor)*,
/// factor = '-' factor | number | '(' expr ')'.
struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Self { src, pos: 0 }
    }

    fn parse(mut self) -> Result<f64, CalcError> {
        let v = self.expr()?;
        self.skip_ws();
        if self.pos < self.src.len() {
            return Err(self.error("an operator or the end"));
        }
        Ok(v)
    }

    fn expr(&mut self) -> Result<f64, CalcError> {
        let mut v = self.term()?;
        while let Some(op) = self.eat(&['+', '-']) {
            let rhs = self.term()?;
            v = if op == '+' { v + rhs } else { v - rhs };
        }
        Ok(v)
    }

    fn term(&mut self) -> Result<f64, CalcError> {
        let mut v = self.factor()?;
        while let Some(op) = self.eat(&['*', '/']) {
            let rhs = self.factor()?;
            if op == '/' && rhs == 0.0 {
                return Err(CalcError::DivisionByZero(self.src.to_owned()));
            }
            v = if op == '*' { v * rhs } else { v / rhs };
        }
        Ok(v)
    }

    fn factor(&mut self) -> Result<f64, CalcError> {
        if self.eat(&['-']).is_some() {
            return Ok(-self.factor()?);
        }
        if self.eat(&['(']).is_some() {
            let v = self.expr()?;
            return match self.eat(&[')']) {
                Some(_) => Ok(v),
                None => Err(self.error("')'")),
            };
        }
        self.skip_ws();
        let rest = &self.src[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        match rest[..len].parse::<f64>() {
            Ok(n) => {
                self.pos += len;
                Ok(n)
            }
            Err(_) => Err(self.error("a number")),
        }
    }

    fn eat(&mut self, ops: &[char]) -> Option<char> {
        self.skip_ws();
        let c = self.src[self.pos..].chars().next()?;
        ops.contains(&c).then(|| {
            self.pos += c.len_utf8();
            c
        })
    }

    fn skip_ws(&mut self) {
        let rest = &self.src[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn error(&self, what: &'static str) -> CalcError {
        CalcError::Parse {
            expr: self.src.to_owned(),
            at: self.pos,
            what: what.to_owned(),
        }
    }
}

/// A document of the bundled corpus.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// Title.
    pub title: String,
    /// Where it came from.
    pub url: String,
    /// The text.
    pub text: String,
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// No document shares a word with the query.
    #[error("no results for {0:?}")]
    NoResults(String),
}

/// The bundled corpus, parsed once.
fn corpus() -> &'static [Document] {
    static CORPUS: std::sync::OnceLock<Vec<Document>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        serde_json::from_str(include_str!("../data/corpus.json"))
            .expect("the bundled corpus is valid JSON")
    })
}

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
}

/// Searches the web (a small bundled corpus) and returns the best matching documents.
#[tool]
pub fn web_search(query: &str) -> Result<Vec<Document>, SearchError> {
    let terms: Vec<String> = words(query).collect();
    let mut scored: Vec<(usize, &Document)> = corpus()
        .iter()
        .map(|d| {
            let hits = words(&d.title)
                .chain(words(&d.text))
                .filter(|w| terms.contains(w))
                .count();
            (hits, d)
        })
        .filter(|(hits, _)| *hits > 0)
        .collect();
    scored.sort_by_key(|(hits, _)| std::cmp::Reverse(*hits));
    if scored.is_empty() {
        return Err(SearchError::NoResults(query.to_owned()));
    }
    Ok(scored.into_iter().take(2).map(|(_, d)| d.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calculator_evaluates_with_precedence_and_parentheses() {
        let calc = |e: &str| Calculator::default().calculate("call_0", e);
        assert_eq!(calc("17 * 23"), Ok(391.0));
        assert_eq!(calc("2 + 3 * (4 - 1)"), Ok(11.0));
        assert_eq!(calc("-2.5 * -2"), Ok(5.0));
        assert_eq!(
            calc("1 / 0"),
            Err(CalcError::DivisionByZero("1 / 0".into()))
        );
        assert!(matches!(
            calc("12 divided by 4"),
            Err(CalcError::Parse { at: 3, .. })
        ));
        assert!(matches!(calc("(1 + 2"), Err(CalcError::Parse { .. })));
        assert_eq!(
            Calculator { buggy: true }.calculate("c", "17 * 23"),
            Ok(392.0)
        );
    }

    #[test]
    fn search_ranks_by_shared_words() {
        let hits = web_search("population of Paris").unwrap();
        assert_eq!(hits[0].title, "Paris");
        assert!(web_search("zzz qqq").is_err());
    }
}
