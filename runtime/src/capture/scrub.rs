//! Secrets out of captured content: well-known credential patterns in text, values under
//! sensitive keys, and a hook of the user's own.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Credentials recognisable by their shape, wherever they appear in text.
static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"sk-[A-Za-z0-9_\-]{16,}",                                      // OpenAI, Anthropic (sk-ant-…)
        r"|[rs]k_(?:live|test)_[A-Za-z0-9]{10,}",                       // Stripe
        // A credential after its name: `password=…`, `api_key: "…"`, `Authorization: Bearer …`.
        r#"|(?i:\b(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|token|access[_-]?token|api[_-]?key|x-api-key|authorization|auth)\b"?\s*[:=]\s*"?(?:(?:bearer|basic|token)\s+)?[^\s"&,;})\]]+)"#,
        r#"|(?i:\b(?:x-api-key|api[_-]?key|authorization)"?\s*,\s*"?[^\s"&,;})\]]{6,})"#, // ("X-Api-Key", "…")
        r"|(?i:\b(?:bearer|basic|token)\s+[A-Za-z0-9\-._~+/]{8,}=*)",  // HTTP authorization values
        r"|(?:AKIA|ASIA)[0-9A-Z]{16}",                                  // AWS access key ids
        r"|(?i:aws_secret_access_key|secret_access_key)\s*[=:]\s*[A-Za-z0-9/+=]{40}", // AWS secrets
        r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}",   // GitHub tokens
        r"|xox[abposr]-[A-Za-z0-9\-]{10,}",                             // Slack tokens
        r"|AIza[0-9A-Za-z_\-]{35}",                                     // Google API keys
        r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", // JWTs
        r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
        r"|://[^/\s:@]+:[^/\s@]+@",                                     // credentials in URLs
    ))
    .expect("the secret patterns are valid")
});

/// `text` with every recognisable credential replaced by [`REDACTED`].
pub(crate) fn scrub(text: &str) -> Cow<'_, str> {
    SECRET.replace_all(text, REDACTED)
}

/// Whether a key names a secret: `password`, `passphrase`, `api_key`, `Authorization`,
/// `client_secret`, `x-api-key`, `githubToken`, `openai_key`, `db_credential`, `session_cookie`, …
/// — but not `max_tokens`, `primary_key` or `keyword`.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const EXACT: [&str; 3] = ["auth", "pwd", "credentials"];
    const CONTAINS: [&str; 10] = [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "credential",
        "apikey",
        "accesskey",
        "privatekey",
        "authorization",
        "cookie",
    ];
    // `…_key` names a key unless it is one of the kinds of keys that are not secrets.
    const NOT_SECRET_KEYS: [&str; 14] = [
        "primary",
        "sort",
        "partition",
        "cache",
        "idempotency",
        "foreign",
        "group",
        "routing",
        "dedup",
        "row",
        "object",
        "public",
        "hash",
        "lookup",
    ];
    let raw = key.to_ascii_lowercase();
    let key_suffix = raw.ends_with("_key") || raw.ends_with("-key") || key.ends_with("Key");
    let prefix = k.strip_suffix("key").unwrap_or("");
    EXACT.contains(&k.as_str())
        || CONTAINS.iter().any(|c| k.contains(c))
        || k.ends_with("token")
        || (key_suffix && !NOT_SECRET_KEYS.iter().any(|n| prefix.ends_with(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_text_are_replaced_whatever_their_form() {
        for (text, kept) in [
            ("password=hunter2&user=ann", "user=ann"),
            (r#"Req { api_key: "k-live-77f3e9a0c1", n: 1 }"#, "n: 1"),
            (
                r#"headers: [("Authorization", "Token 9f8e7d6c5b4a"), ("X-API-Key", "abc123def456")]"#,
                "headers",
            ),
            ("Authorization: Bearer abcdefgh12345678", ""),
            ("stripe sk_live_51Habcdefghijklmn", "stripe"),
            ("max_tokens: 512", "max_tokens: 512"),
        ] {
            let out = scrub(text);
            for secret in [
                "hunter2",
                "k-live-77f3e9a0c1",
                "9f8e7d6c5b4a",
                "abc123def456",
                "abcdefgh12345678",
                "sk_live_51H",
            ] {
                assert!(!out.contains(secret), "{secret} in {out}");
            }
            assert!(out.contains(kept), "{kept:?} lost from {out}");
        }
    }

    #[test]
    fn sensitive_keys_are_recognised_without_catching_token_counts() {
        for k in [
            "password",
            "api_key",
            "apiKey",
            "Authorization",
            "x-api-key",
            "client_secret",
            "githubToken",
            "AWS_ACCESS_KEY",
            "secret_key",
            "openai_key",
            "passphrase",
            "db_credential",
            "session_cookie",
        ] {
            assert!(is_sensitive_key(k), "{k}");
        }
        for k in [
            "max_tokens",
            "input_tokens",
            "query",
            "tokenizer",
            "keyword",
            "primary_key",
            "sort_key",
            "monkey",
        ] {
            assert!(!is_sensitive_key(k), "{k}");
        }
    }
}
