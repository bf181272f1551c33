//! Cost: every model call's span carries its price in US dollars under this crate's, Phoenix's and
//! Langfuse's names, computed from its usage without double-counting cached or reasoning tokens;
//! agents carry the sum of the calls beneath them; an unknown model gets no cost and one warning.
//! Figures are worked out by hand from the published prices.

use genai_tracing::cost::{Price, PriceTable};
use genai_tracing::semconv as sc;
use genai_tracing::{agent, cost, llm_call, Usage};
use genai_tracing_tests::{record, record_async, SpanDataExt};
use opentelemetry_sdk::trace::SpanData;
use serde_json::{json, Value};

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a cost");
    assert!(
        (actual - expected).abs() < 1e-12,
        "cost {actual} != {expected}"
    );
}

/// The cost under every name, all equal to `(input, output)`.
fn assert_cost(span: &SpanData, input: f64, output: f64) {
    let total = input + output;
    close(span.f64_attr(sc::COST_USD), total);
    close(span.f64_attr(sc::LLM_COST_PROMPT), input);
    close(span.f64_attr(sc::LLM_COST_COMPLETION), output);
    close(span.f64_attr(sc::LLM_COST_TOTAL), total);
    let details = span.json_attr(sc::LANGFUSE_COST_DETAILS).expect("details");
    close(details["input"].as_f64(), input);
    close(details["output"].as_f64(), output);
    close(details["total"].as_f64(), total);
}

/// The one span recorded.
fn only(spans: &genai_tracing_tests::Spans) -> &SpanData {
    assert_eq!(spans.0.len(), 1, "{:?}", spans.names());
    &spans.0[0]
}

fn no_cost(span: &SpanData) {
    for name in [
        sc::COST_USD,
        sc::LLM_COST_PROMPT,
        sc::LLM_COST_COMPLETION,
        sc::LLM_COST_TOTAL,
        sc::LANGFUSE_COST_DETAILS,
    ] {
        assert!(span.attr(name).is_none(), "{name} on {}", span.name);
    }
}

#[llm_call(provider = "openai")]
fn openai(response: &Value) -> Value {
    response.clone()
}

#[llm_call(provider = "anthropic")]
fn anthropic(response: &Value) -> Value {
    response.clone()
}

fn openai_response(
    model: &str,
    prompt: i64,
    cached: i64,
    completion: i64,
    reasoning: i64,
) -> Value {
    json!({"id": "chatcmpl-1", "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
            "prompt_tokens_details": {"cached_tokens": cached},
            "completion_tokens_details": {"reasoning_tokens": reasoning}}})
}

#[test]
fn openai_cached_tokens_are_priced_at_the_cache_rate_and_not_twice() {
    // gpt-4o-mini: $0.15 / M input, $0.075 / M cached input, $0.60 / M output.
    let response = openai_response("gpt-4o-mini-2024-07-18", 1_000, 200, 500, 0);
    let (_, spans) = record(|| openai(&response));
    let span = only(&spans);
    assert_cost(
        span,
        (800.0 * 0.15 + 200.0 * 0.075) / 1e6,
        500.0 * 0.6 / 1e6,
    );
}

#[test]
fn anthropic_cache_reads_and_writes_have_their_own_rates() {
    // claude-3-5-haiku: $0.80 / M input, $0.08 / M cache read, $1 / M cache write, $4 / M output.
    // Anthropic counts input apart from the cache; the conventions (and the span) count all 1,600.
    let response = json!({"id": "msg_1", "type": "message", "role": "assistant",
        "model": "claude-3-5-haiku-20241022", "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 100, "cache_read_input_tokens": 1_000,
                  "cache_creation_input_tokens": 500, "output_tokens": 200}});
    let (_, spans) = record(|| anthropic(&response));
    let span = only(&spans);
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1_600));
    assert_cost(
        span,
        (100.0 * 0.8 + 1_000.0 * 0.08 + 500.0 * 1.0) / 1e6,
        200.0 * 4.0 / 1e6,
    );
}

#[test]
fn prices_of_your_own_win_and_price_reasoning_apart() {
    cost::set_price(
        "acme-reasoner",
        Price::per_million(1.0, 2.0).cache_read(0.5).reasoning(4.0),
    );
    // 1,000 input (300 cached), 100 output of which 60 reasoning.
    let response = openai_response("acme-reasoner", 1_000, 300, 100, 60);
    let (_, spans) = record(|| openai(&response));
    assert_cost(
        only(&spans),
        (700.0 * 1.0 + 300.0 * 0.5) / 1e6,
        (40.0 * 2.0 + 60.0 * 4.0) / 1e6,
    );
    // An override replaces the bundled price of a known model too (o3-mini: $1.10 / M input).
    let usage = Usage {
        input_tokens: Some(100_000),
        output_tokens: Some(0),
        ..Usage::default()
    };
    close(
        cost::cost_of(Some("openai"), "o3-mini", &usage).map(|c| c.total),
        0.11,
    );
    cost::set_price("o3-mini", Price::per_million(10.0, 10.0));
    close(
        cost::cost_of(Some("openai"), "O3-MINI", &usage).map(|c| c.total),
        1.0,
    );
}

#[test]
fn bundled_reasoning_tokens_are_output_tokens_priced_once() {
    // o4-mini: $1.10 / M input, $0.275 / M cached, $4.40 / M output; reasoning is output.
    let usage = Usage {
        input_tokens: Some(2_000),
        cache_read_input_tokens: Some(1_000),
        output_tokens: Some(900),
        reasoning_output_tokens: Some(700),
        ..Usage::default()
    };
    let c = cost::cost_of(Some("openai"), "o4-mini", &usage).expect("priced");
    close(Some(c.input), (1_000.0 * 1.1 + 1_000.0 * 0.275) / 1e6);
    close(Some(c.output), 900.0 * 4.4 / 1e6);
}

#[test]
fn a_model_is_priced_only_from_its_providers_list() {
    let usage = Usage {
        input_tokens: Some(1_000),
        output_tokens: Some(100),
        ..Usage::default()
    };
    // Behind an OpenAI-compatible endpoint, a model named like Anthropic's is not Anthropic's.
    assert!(cost::cost_of(Some("openai"), "claude-3-5-haiku-20241022", &usage).is_none());
    assert!(cost::cost_of(Some("anthropic"), "claude-3-5-haiku-20241022", &usage).is_some());
    assert!(cost::cost_of(Some("my-own-vllm"), "gpt-4o-mini", &usage).is_none());
}

#[test]
fn absurd_counts_get_no_cost_and_no_panic() {
    let price = Price::per_million(1.0, 1.0);
    for usage in [
        Usage {
            input_tokens: Some(0),
            cache_read_input_tokens: Some(i64::MIN),
            ..Usage::default()
        },
        Usage {
            input_tokens: Some(i64::MIN),
            cache_creation_input_tokens: Some(1),
            ..Usage::default()
        },
        Usage {
            output_tokens: Some(-5),
            ..Usage::default()
        },
    ] {
        assert!(price.cost(&usage).is_none(), "{usage:?}");
        assert!(
            cost::cost_of(Some("openai"), "gpt-4o-mini", &usage).is_none(),
            "{usage:?}"
        );
    }
}

#[llm_call(provider = "openai", model = "gpt-4o-mini")]
fn without_usage(question: &str) -> Value {
    json!({"id": "x", "model": "gpt-4o-mini", "choices": [{"index": 0, "message": {"role": "assistant", "content": question}, "finish_reason": "stop"}]})
}

#[agent(name = "half-known")]
async fn half_known() {
    step(openai_response("gpt-4o-mini", 10, 0, 10, 0)).await;
    without_usage("no usage reported");
}

#[test]
fn a_call_without_usage_leaves_its_agents_totals_unknown() {
    let (_, spans) = record_async(half_known);
    let agent = spans.one("invoke_agent half-known");
    for name in [
        sc::GEN_AI_USAGE_INPUT_TOKENS,
        sc::GEN_AI_USAGE_OUTPUT_TOKENS,
        sc::COST_USD,
    ] {
        assert!(agent.attr(name).is_none(), "{name} would be an undercount");
    }
}

#[test]
fn usage_that_does_not_add_up_gets_no_cost() {
    // More cached tokens than input tokens: a provider's counts were not normalised.
    let response = openai_response("gpt-4o-mini", 100, 200, 10, 0);
    let (_, spans) = record(|| openai(&response));
    no_cost(only(&spans));
    let price = Price::per_million(1.0, 1.0);
    assert!(price.cost(&Usage::default()).is_none());
}

#[test]
fn an_unknown_model_gets_no_cost_and_one_warning() {
    let response = openai_response("nobody-knows-this-model-7", 10, 0, 5, 0);
    let (_, spans) = record(|| {
        openai(&response);
        openai(&response);
    });
    let calls = &spans.0;
    assert_eq!(calls.len(), 2);
    for call in calls {
        no_cost(call);
        assert_eq!(call.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(10));
    }
    let warnings: Vec<_> = calls
        .iter()
        .flat_map(|s| s.events.iter())
        .filter(|e| {
            e.name
                .contains("no price known for model \"nobody-knows-this-model-7\"")
        })
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning for the model, on its first call"
    );
    assert!(!cost::is_priced(
        Some("openai"),
        "nobody-knows-this-model-7"
    ));
    assert!(cost::is_priced(Some("openai"), "gpt-4o"));
}

#[llm_call(provider = "openai")]
async fn step(response: Value) -> Value {
    response
}

#[agent(name = "inner")]
async fn inner() -> u32 {
    step(openai_response("gpt-4o", 2_000, 1_000, 100, 0)).await;
    1
}

#[agent(name = "outer")]
async fn outer() -> u32 {
    step(openai_response("gpt-4o-mini", 1_000, 0, 200, 0)).await;
    // A model call in a spawned task still counts: its span is beneath the agent's.
    let spawned = genai_tracing::spawn(step(openai_response("gpt-4o-mini", 500, 0, 50, 0)));
    spawned.await.expect("task");
    inner().await + 1
}

#[agent(name = "partly-priced")]
async fn partly_priced() {
    step(openai_response("gpt-4o-mini", 10, 0, 10, 0)).await;
    step(openai_response("private-model-without-price", 10, 0, 10, 0)).await;
}

#[test]
fn agents_carry_the_tokens_and_cost_of_their_subtree() {
    let (_, spans) = record_async(|| async {
        outer().await;
        partly_priced().await;
    });
    let mini = |i: f64, o: f64| (i * 0.15 + o * 0.6) / 1e6;
    // gpt-4o: $2.50 / M input, $1.25 / M cached, $10 / M output.
    let four_o = (1_000.0 * 2.5 + 1_000.0 * 1.25 + 100.0 * 10.0) / 1e6;

    let inner = spans.one("invoke_agent inner");
    assert_eq!(inner.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(2_000));
    assert_eq!(inner.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(100));
    close(inner.f64_attr(sc::COST_USD), four_o);

    let outer = spans.one("invoke_agent outer");
    assert_eq!(outer.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(3_500));
    assert_eq!(outer.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(350));
    close(
        outer.f64_attr(sc::COST_USD),
        mini(1_000.0, 200.0) + mini(500.0, 50.0) + four_o,
    );
    // Recorded to the nearest 10^-12 USD: a sum prints as the decimal it is, without float noise.
    let recorded = outer.f64_attr(sc::COST_USD).unwrap().to_string();
    assert!(recorded.len() <= 14, "{recorded}");
    // Only the model calls are priced under Phoenix's and Langfuse's names: those platforms sum
    // children themselves (and Langfuse drops usage and cost on agent spans).
    assert!(outer.attr(sc::LLM_COST_TOTAL).is_none());
    assert!(outer.attr(sc::LANGFUSE_COST_DETAILS).is_none());

    // One call without a price: the tokens add up, the cost would be an undercount, so none.
    let partly = spans.one("invoke_agent partly-priced");
    assert_eq!(partly.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(20));
    assert!(partly.attr(sc::COST_USD).is_none());
}

#[test]
fn price_files_are_read_and_bad_ones_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("genai-prices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"{"acme-ft": {"input": 0.5, "output": 1.5, "cache_read": 0.05, "cache_write": 0.6}}"#,
    )
    .unwrap();
    let table = PriceTable::load(&good).expect("a good file");
    let price = table.get("acme-ft").expect("the model");
    assert_eq!(price.cache_write, Some(0.6));

    let cases: [(&str, &[u8], &[&str]); 5] = [
        (
            "truncated.json",
            br#"{"acme": {"input": 1"#,
            &["truncated.json", "line 1"],
        ),
        (
            "negative.json",
            br#"{"acme": {"input": -1, "output": 1}}"#,
            &["acme", "`input` is -1"],
        ),
        (
            "typo.json",
            br#"{"acme": {"inptu": 1, "output": 1}}"#,
            &["unknown field `inptu`"],
        ),
        ("list.json", b"[1, 2]", &["list.json", "expected a map"]),
        (
            "binary.json",
            b"{\"a\xff\": 1}",
            &["binary.json", "not UTF-8"],
        ),
    ];
    for (name, contents, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        let message = PriceTable::load(&path).expect_err(name).to_string();
        for part in expected {
            assert!(message.contains(part), "{name}: {message:?} lacks {part:?}");
        }
    }
    let missing = PriceTable::load(dir.join("missing.json")).expect_err("missing");
    assert!(missing.to_string().contains("cannot read the price file"));
    std::fs::remove_dir_all(&dir).ok();
}
