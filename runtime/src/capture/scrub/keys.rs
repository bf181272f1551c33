//! Secrets by the name they are given: which names are sensitive, and the values assigned to such
//! a name in text, whatever the spelling (`DB_PASSWORD=…`, `apiKey: …`, `x-api-key: …`,
//! `"client_secret": "…"`, `("Authorization", "Token …")`, `--password …`, `api_key("…")`,
//! `<password>…</password>`) — and which values so placed are code or placeholders instead
//! (`settings.SECRET_KEY`, `getpass(…)`, `${TOKEN}`).

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use crate::capture::boundary::floor_char_boundary;

/// Whether a key names a secret: `password`, `passphrase`, `api_key`, `Authorization`,
/// `client_secret`, `x-api-key`, `githubToken`, `HF_TOKEN`, `openai_key`, `db_credential`,
/// `session_cookie`, `private_key_id`, … — but not `max_tokens`, `primary_key`, `keyword`,
/// `next_page_token` or `password_length`.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    // Letters and digits only, lowercase, on the stack for any name a secret could have.
    let mut buf = [0u8; 96];
    let mut len = 0;
    for b in key.bytes().filter(u8::is_ascii_alphanumeric) {
        if len == buf.len() {
            return false;
        }
        buf[len] = b.to_ascii_lowercase();
        len += 1;
    }
    let k = std::str::from_utf8(&buf[..len]).expect("ASCII");
    const EXACT: [&str; 5] = ["auth", "pwd", "credentials", "pass", "psk"];
    const CONTAINS: [&str; 11] = [
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
        "bearer",
    ];
    // What a name says about a secret rather than being one: `password_length`, `secret_name`,
    // `token_url`, `--password-stdin`, `secrets_backend`.
    const ABOUT: [&str; 31] = [
        "length",
        "len",
        "size",
        "count",
        "type",
        "file",
        "path",
        "policy",
        "url",
        "uri",
        "endpoint",
        "expiry",
        "expiresat",
        "ttl",
        "name",
        "exists",
        "enabled",
        "backend",
        "version",
        "format",
        "kind",
        "mode",
        "field",
        "label",
        "hint",
        "prompt",
        "required",
        "stdin",
        "env",
        "header",
        "param",
    ];
    // Tokens that are not credentials.
    const NOT_SECRET_TOKENS: [&str; 5] = ["page", "next", "continuation", "sync", "cancellation"];
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
    // Words that contain a sensitive one.
    const WORDS: [&str; 11] = [
        "askpass",
        "secretsmanager",
        "jsonwebtoken",
        "secretary",
        "secretariat",
        "passkey",
        "bypass",
        "compass",
        "surpass",
        "overpass",
        "underpass",
    ];
    // `…_id` names what identifies a secret, except for the ids that are secrets themselves
    // (a Google service account's `private_key_id`).
    let an_id = k.ends_with("id") && k != "privatekeyid";
    if an_id || ABOUT.iter().any(|a| k.ends_with(a)) || WORDS.iter().any(|w| k.contains(w)) {
        return false;
    }
    let key_suffix = key.len() > 3 && {
        let tail = &key.as_bytes()[key.len() - 4..];
        tail.eq_ignore_ascii_case(b"_key")
            || tail.eq_ignore_ascii_case(b"-key")
            || key.ends_with("Key")
    };
    let before = |suffix: &str| k.strip_suffix(suffix).unwrap_or("");
    EXACT.contains(&k)
        || CONTAINS.iter().any(|c| k.contains(c))
        // `DB_PASS`, `smtp_pass`, `NEO4J_AUTH`, kubeconfig's `client-key-data`.
        || k.ends_with("pass")
        || k.ends_with("auth")
        || k.ends_with("keydata")
        || (k.ends_with("token")
            && !NOT_SECRET_TOKENS
                .iter()
                .any(|n| before("token").ends_with(n)))
        || (key_suffix && !NOT_SECRET_KEYS.iter().any(|n| before("key").ends_with(n)))
}

/// After a name: an assignment and a value — `= value`, `: value`, `": "value"`, `:= value`,
/// `=> value`, `'] = 'value'`, `", "value"` (a quoted pair), `("value"` (a call with a literal),
/// or for a command-line option `=value` or ` value`. Anchored: it is run on the text right after
/// a sensitive name.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"^(?P<quote>["']?)\]?(?P<before>[ \t]*)(?P<op>:=|=>|==|=|:|,|\(|[ \t])(?P<after>[ \t]*)"#,
        r#"(?P<value>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`,;&|<>(){}\[\]]+)"#,
    ))
    .expect("the assignment pattern is valid")
});

/// An HTTP authorization scheme before a credential.
static SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:bearer|basic|token|digest|apikey|sso-key|ssws)[ \t]+")
        .expect("the scheme pattern is valid")
});

/// What every sensitive name contains (see [`is_sensitive_key`]): assignments are looked for
/// only at the names around these, so text without them costs one pass of this automaton.
static MARKERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "pass",
            "pwd",
            "secret",
            "credential",
            "key",
            "token",
            "auth",
            "cookie",
            "psk",
            "bearer",
        ])
        .expect("the markers build an automaton")
});

/// How far after its name a value may reach.
const VALUE_REACH: usize = 4096;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'$')
}

/// Adds to `found` the values `text` assigns to sensitive names.
pub(super) fn find(text: &str, found: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    // Where the last name looked at, or the last value found, ends: markers before it are in it.
    let mut done = 0;
    for m in MARKERS.find_iter(text) {
        if m.start() < done {
            continue;
        }
        // The whole name the marker is in.
        let mut start = m.start();
        while start > 0 && is_name_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = m.end();
        while end < bytes.len() && is_name_byte(bytes[end]) {
            end += 1;
        }
        done = end;
        let name = text[start..end].trim_start_matches('-');
        // A cookie header's values are sorted out by its form (see `forms.rs`).
        let cookie_header =
            name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie");
        if name.len() > 80
            || !is_sensitive_key(name)
            || cookie_header
            || in_identifier(&text[..start])
            || in_template(&text[..start])
        {
            continue;
        }
        let value = match (start.checked_sub(1).map(|i| bytes[i]), bytes.get(end)) {
            (Some(b'<'), Some(b'>')) => element(text, end + 1),
            _ => assignment(text, start, end, name),
        };
        if let Some(value) = value.filter(|v| !placeholder(&text[v.clone()])) {
            done = value.end;
            found.push(value);
        }
    }
}

/// Whether a name at the end of `before` is a part of an ARN or URN
/// (`arn:aws:secretsmanager:…:secret:prod/db`), not a name given a value.
fn in_identifier(before: &str) -> bool {
    let token = before
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ','))
        .next()
        .unwrap_or("");
    token.ends_with(':') && (token.starts_with("arn:") || token.starts_with("urn:"))
}

/// Whether a name at the end of `before` is inside a template placeholder (`${API_TOKEN:?…}`,
/// `{{ secret_key }}`, `%JWT_SECRET%`) rather than assigned to.
fn in_template(before: &str) -> bool {
    let before = before.trim_end_matches([' ', '\t']);
    before.ends_with("${") || before.ends_with("{{") || before.ends_with('%')
}

/// The text of an XML element whose content starts at `from` (`<password>…</password>`).
fn element(text: &str, from: usize) -> Option<Range<usize>> {
    let reach = &text[from..floor_char_boundary(text, from.saturating_add(VALUE_REACH))];
    let len = reach.find(['<', '\n'])?;
    reach[len..].starts_with("</").then_some(from..from + len)
}

/// The value assigned to the sensitive `name` at `start..end`, if it is assigned one.
fn assignment(text: &str, start: usize, end: usize, name: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let reach = &text[end..floor_char_boundary(text, end.saturating_add(VALUE_REACH))];
    // The match by the fast engine first, its groups on the match alone.
    let whole = ASSIGNMENT.find(reach)?;
    let caps = ASSIGNMENT.captures(&reach[..whole.end()])?;
    let op = &caps["op"];
    let value = caps.name("value").expect("every assignment has a value");
    let mut quoted = value.as_str().starts_with(['"', '\'']);
    let mut inner = match quoted {
        true => end + value.start() + 1..end + value.end() - 1,
        false => end + value.start()..end + value.end(),
    };
    let lower = name.to_ascii_lowercase();
    let authorization = lower.contains("authorization");
    // A credential's scheme: `"Token 9f8e…"`, `Authorization: <any scheme> <credential>`.
    let mut schemed = false;
    if authorization || lower == "auth" {
        if let Some(scheme) = SCHEME.find(&text[inner.clone()]) {
            inner.start += scheme.end();
            schemed = true;
        } else if authorization
            && !quoted
            && text[inner.clone()].bytes().all(|b| b.is_ascii_alphabetic())
        {
            let rest = &text[inner.end..];
            let blank = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let token = rest[blank..]
                .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\''))
                .unwrap_or(rest.len() - blank);
            if blank > 0 && token > 0 {
                inner = inner.end + blank..inner.end + blank + token;
                schemed = true;
            }
        }
    }
    let rest = &text[inner.end..];
    if !quoted && !schemed {
        let word = &text[inner.clone()];
        if WRAPPERS.contains(&word) && rest.starts_with(['(']) && rest[1..].starts_with(['"', '\''])
        {
            // `Some("…")`, `SecretString("…")`: the literal inside.
            let close = rest.as_bytes()[1] as char;
            let len = rest[2..].find([close, '\n'])?;
            inner = inner.end + 2..inner.end + 2 + len;
            quoted = true;
        } else if op == "=" && name.bytes().all(|b| !b.is_ascii_lowercase()) {
            // An env-style name (`REDIS_PASSWORD=…`) takes its value up to the next blank: `&`
            // and `;` separate values only in other spellings.
            inner.end += rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                .unwrap_or(rest.len());
        }
    }
    let secret = &text[inner.clone()];
    let spaced = !caps["before"].is_empty() && !caps["after"].is_empty();
    if !quoted && !schemed && code(secret, &text[inner.end..], spaced) {
        return None;
    }
    let accepted = match op {
        // A comparison, not an assignment.
        "==" => false,
        // `,` separates a name from its value only in a quoted pair: `("X-Api-Key", "…")`.
        "," => {
            let opening = text[..start.saturating_sub(1)].trim_end_matches([' ', '\t']);
            !caps["quote"].is_empty() && quoted && opening.ends_with(['(', '['])
        }
        // A sensitive noun given a literal without blanks: `Auth.api_key("…")`,
        // `.bearer_auth("…")` — not `getpass("Password: ")` nor `set_password("service", …)`.
        "(" => quoted && !secret.contains(char::is_whitespace) && noun_call(name),
        // A blank only after a command-line option (`--password p4ss!`, not `--token TOKEN` in
        // a help text).
        " " | "\t" => {
            let flag = text[start..end].starts_with("--")
                && (start == 0 || bytes[start - 1].is_ascii_whitespace());
            flag && !secret.bytes().all(|b| b.is_ascii_alphabetic())
        }
        // A path (`auth::tests`) and the next field of an empty one (`Password: SSLMode:…`) are
        // no value; `password: reset` is prose, while `password: hunter2` and `password=reset`
        // are not.
        ":" => {
            !secret.starts_with(':')
                && !next_field(secret)
                && (quoted || schemed || !secret.bytes().all(|b| b.is_ascii_alphabetic()))
        }
        _ => true,
    };
    accepted.then_some(inner)
}

/// Constructors that wrap a secret in code: `Some("…")` in a Rust `Debug`, `SecretString("…")`.
const WRAPPERS: [&str; 4] = ["Some", "Secret", "SecretString", "Sensitive"];

/// Whether a call named `name` takes a credential (`api_key(…)`, `with_token(…)`) rather than
/// doing something with one (`set_password(…)`, `getpass(…)`, `verify_token(…)`).
fn noun_call(name: &str) -> bool {
    const VERBS: [&str; 22] = [
        "set", "get", "read", "load", "fetch", "check", "verify", "validate", "hash", "prompt",
        "ask", "input", "reset", "change", "update", "delete", "remove", "create", "generate",
        "rotate", "revoke", "is",
    ];
    let last = name.rsplit(['.', ':']).next().unwrap_or(name);
    let lower = last.to_ascii_lowercase();
    is_sensitive_key(last) && !VERBS.iter().any(|v| lower.starts_with(v))
}

/// `SSLMode:require` after an empty `Password:` in a Go `%+v`: the next field, not a value.
fn next_field(value: &str) -> bool {
    value.split_once(':').is_some_and(|(head, _)| {
        head.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && head.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Whether an unquoted value is code rather than a literal: a call, an index or a generic type
/// (`std::env::var(`, `os.environ[`, `Option<String>`), a string prefix (`f"…"`), a command and
/// its argument (`ConvertTo-SecureString '…'`), a keyword (`await`, `new`), a path without digits
/// (`settings.SECRET_KEY`, `session?.access_token`), another sensitive name (`api_key=api_key`),
/// or a plain identifier after a spaced `=` (`password = hashed`; `password=hunter` stays a
/// value).
fn code(value: &str, after: &str, spaced: bool) -> bool {
    const KEYWORDS: [&str; 12] = [
        "await", "new", "yield", "self", "this", "None", "function", "lambda", "async", "static",
        "const", "mut",
    ];
    let identifier = |s: &str| {
        s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
    };
    let path = value.replace("?.", ".").replace("::", ".");
    let is_path = path.contains('.')
        && !value.bytes().any(|b| b.is_ascii_digit())
        && path.split('.').all(identifier);
    let command = after
        .trim_start_matches([' ', '\t'])
        .starts_with(['"', '\''])
        && after.starts_with([' ', '\t'])
        && value.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-');
    after.starts_with(['(', '[', '<', '"', '\''])
        || command
        || KEYWORDS.contains(&value)
        || is_path
        || (identifier(value) && is_sensitive_key(value))
        || (spaced && value.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_'))
}

/// Values that stand for no secret: empty, booleans, nulls, template variables and tags, the
/// stand-ins of examples and masked output (`<your-key>`, `YOUR_API_KEY_HERE`, `REPLACE_ME`,
/// `[PROTECTED]`, `sk-...`, `sk_test_xxxxxxxx`, `gho_****`, a bare `password`), and file paths.
pub(crate) fn placeholder(value: &str) -> bool {
    const WORDS: [&str; 17] = [
        "true",
        "false",
        "null",
        "none",
        "nil",
        "undefined",
        "replace_me",
        "replaceme",
        "change_me",
        "todo",
        "fixme",
        "placeholder",
        "dummy",
        "redacted",
        "password",
        "secret",
        "token",
    ];
    let v = value.trim().trim_end_matches(['`', '.', ',', ';']);
    let masked = |c: u8, run: usize| {
        v.as_bytes()
            .windows(run)
            .any(|w| w.iter().all(|b| b.eq_ignore_ascii_case(&c)))
    };
    v.is_empty()
        || WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        || v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("your"))
        // Template variables and tags: `${TOKEN}`, `$TOKEN`, `{{ secrets.X }}`, `%TOKEN%`, `!ENV`.
        || v.starts_with(['$', '!'])
        || v.starts_with("{{")
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
        // Stand-ins: `<your-key>`, `[PROTECTED]`, `sk-...`, `sk_test_xxxxxxxx`, `gho_****`.
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || value.trim_end().ends_with("...")
        || value.trim_end().ends_with('…')
        || masked(b'x', 6)
        || masked(b'*', 4)
        || v.bytes().all(|b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
        // A file: `GIT_ASKPASS=/usr/lib/git-core/git-gui--askpass`, `PWD=/workspace/app`.
        || ((v.starts_with('/') || v.starts_with("~/")) && v[1..].contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        find(text, &mut found);
        found.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn values_under_sensitive_names_whatever_the_spelling() {
        assert_eq!(values("AZURE_OPENAI_API_KEY=3f9a1c"), ["3f9a1c"]);
        assert_eq!(
            values("export HF_TOKEN=hf_abc DB_PASSWORD='p@ss w0rd'"),
            ["hf_abc", "p@ss w0rd"]
        );
        assert_eq!(values(r#"{"apiKey": "k-77", "n": 1}"#), ["k-77"]);
        assert_eq!(
            values("x-api-key: abc123\nAuthorization: Bearer tok.en-9"),
            ["abc123", "tok.en-9"]
        );
        assert_eq!(values(r#"[("Authorization", "Token 9f8e7d")]"#), ["9f8e7d"]);
        assert_eq!(
            values("//registry.npmjs.org/:_authToken=npm_x1"),
            ["npm_x1"]
        );
        assert_eq!(values("config: password=hunter2"), ["hunter2"]);
        assert_eq!(values("REDIS_PASSWORD=3rq&He#Ik REDIS_DB=2"), ["3rq&He#Ik"]);
        assert_eq!(values("<password>sHkx%_b5OT</password>"), ["sHkx%_b5OT"]);
        assert_eq!(values("DB_PASS = \"010UVa5.AHIL\""), ["010UVa5.AHIL"]);
        assert_eq!(
            values("auth=Auth.api_key(\"UXsgt6ngeiu7\")"),
            ["UXsgt6ngeiu7"]
        );
        assert_eq!(values(".bearer_auth(\"GhuHX4patj3d\")"), ["GhuHX4patj3d"]);
        assert_eq!(
            values("Authorization: SSWS 00R7Jf5Dbjr-bgPZ\n"),
            ["00R7Jf5Dbjr-bgPZ"]
        );
        assert_eq!(
            values("Authorization: Negotiate YIIGhgYGKwYB\n"),
            ["YIIGhgYGKwYB"]
        );
        assert_eq!(values("  psk=\"-2tok+c4a=Y\"\n"), ["-2tok+c4a=Y"]);
        assert_eq!(
            values("app --api-key k1 --password=p2 --verbose"),
            ["k1", "p2"]
        );
    }

    #[test]
    fn ordinary_assignments_and_prose_are_left_alone() {
        for text in [
            "max_tokens: 512, input_tokens=30",
            "password: reset it from the settings page",
            "token: none",
            "api_key=${OPENAI_API_KEY}",
            "cache_key: user:42",
            "a, b, c",
            "next_page_token=abc",
            "password_length=12",
            "let api_key = std::env::var(\"OPENAI_API_KEY\")",
            "client = OpenAI(api_key=api_key)",
            "const token = await getAccessToken();",
            "struct C { api_key: Option<String> }",
            "headers = {\"Authorization\": f\"Bearer {token}\"}",
            "secret = settings.SECRET_KEY",
            "secret: process.env.SESSION_SECRET,",
            "user.password_hash = hashed",
            "const accessToken = session?.access_token;",
            "password = var.db_password",
            "if apiKey == \"\" {",
            ": \"${API_TOKEN:?API_TOKEN must be set}\"",
            "test auth::tests::rejects_expired_token ... ok",
            "def f(client_secret: str) -> str:",
            "data={\"grant_type\": \"client_credentials\", \"client_id\": x}",
            "docker login --password-stdin registry.example.com",
            "JWT_SECRET=%JWT_SECRET%",
            "bypass=on",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "token = lexer.next_token()?",
            "password = getpass.getpass(\"Password: \")",
            "Set-Cookie: theme=dark; Path=/",
        ] {
            assert_eq!(values(text), Vec::<&str>::new(), "{text}");
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
            "HF_TOKEN",
            "private_key_id",
            "Ocp-Apim-Subscription-Key",
            "_authToken",
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
            "next_page_token",
            "password_length",
            "token_type",
            "secretary",
            "api_key_id",
            "passkey_enabled",
        ] {
            assert!(!is_sensitive_key(k), "{k}");
        }
    }
}
