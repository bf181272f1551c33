//! Secrets out of captured content: well-known credential patterns in text, values under
//! sensitive keys, and a hook of the user's own.

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use regex::Regex;
use serde_json::Value;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Credentials recognisable by their shape, wherever they appear in text.
static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"sk-[A-Za-z0-9_\-]{16,}", // OpenAI, Anthropic (sk-ant-…)
        r"|(?i:bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*", // HTTP authorization values
        r"|(?:AKIA|ASIA)[0-9A-Z]{16}", // AWS access key ids
        r"|(?i:aws_secret_access_key|secret_access_key)\s*[=:]\s*[A-Za-z0-9/+=]{40}", // AWS secrets
        r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}", // GitHub tokens
        r"|xox[abposr]-[A-Za-z0-9\-]{10,}", // Slack tokens
        r"|AIza[0-9A-Za-z_\-]{35}", // Google API keys
        r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", // JWTs
        r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
        r"|(?i:[?&;]|\b)(?i:password|passwd|pwd|secret|token|api_?key|access_token)=[^&\s]+", // in URLs
        r"|://[^/\s:@]+:[^/\s@]+@", // credentials in URLs
    ))
    .expect("the secret patterns are valid")
});

/// `text` with every recognisable credential replaced by [`REDACTED`].
pub(crate) fn scrub(text: &str) -> Cow<'_, str> {
    SECRET.replace_all(text, REDACTED)
}

/// Whether a key names a secret: `password`, `api_key`, `Authorization`, `client_secret`,
/// `x-api-key`, `githubToken`, … — but not `max_tokens` or `input_tokens`.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const EXACT: [&str; 8] = [
        "auth",
        "pwd",
        "passwd",
        "cookie",
        "setcookie",
        "credentials",
        "apikey",
        "privatekey",
    ];
    const ENDS: [&str; 6] = [
        "password",
        "secret",
        "token",
        "apikey",
        "authorization",
        "accesskey",
    ];
    EXACT.contains(&k.as_str()) || ENDS.iter().any(|e| k.ends_with(e))
}

static HOOK: RwLock<Option<fn(&mut Value)>> = RwLock::new(None);

/// Installs a hook that redacts more, run on every captured value (after the built-in scrubbing,
/// before the value is written to the span). `None` removes it.
///
/// ```
/// fn drop_emails(v: &mut serde_json::Value) {
///     if let Some(o) = v.as_object_mut() {
///         o.remove("email");
///     }
/// }
/// genai_tracing::set_redaction_hook(Some(drop_emails));
/// ```
pub fn set_redaction_hook(hook: Option<fn(&mut Value)>) {
    *HOOK.write().unwrap_or_else(|p| p.into_inner()) = hook;
}

/// Runs the user's hook, if any.
pub(crate) fn run_hook(value: &mut Value) {
    let hook = *HOOK.read().unwrap_or_else(|p| p.into_inner());
    if let Some(hook) = hook {
        hook(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(is_sensitive_key(k), "{k}");
        }
        for k in [
            "max_tokens",
            "input_tokens",
            "query",
            "tokenizer",
            "secretary_name",
            "keyword",
        ] {
            assert!(!is_sensitive_key(k), "{k}");
        }
    }
}
