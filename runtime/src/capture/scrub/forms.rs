//! Credentials recognisable by the form around them rather than a name or a token format: a
//! password in a URL, a `Cookie:` line, `mysql -p…`, an authorization scheme's credential, a
//! high-entropy value just after a key-like word, a PEM private key (cut ones too) — and the
//! loose key shapes of the model providers this crate traces (`sk-…`), which gitleaks only
//! knows in their newest exact lengths.

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::entropy::entropy;

/// One form: its pattern, the group holding the secret, and a check on the secret.
struct Form {
    regex: Regex,
    group: usize,
    accept: fn(&str) -> bool,
}

fn form(pattern: &str, group: usize, accept: fn(&str) -> bool) -> Form {
    Form {
        regex: Regex::new(pattern).expect("the credential forms are valid"),
        group,
        accept,
    }
}

/// The forms, and all of them in one automaton: one pass says which forms occur at all (most
/// text holds none), and only those are searched for their groups.
static FORMS: LazyLock<(RegexSet, [Form; 14])> = LazyLock::new(|| {
    let forms = forms();
    let set = RegexSet::new(forms.iter().map(|f| f.regex.as_str()))
        .expect("the credential forms are valid together");
    (set, forms)
});

fn forms() -> [Form; 14] {
    [
        // `scheme://user:password@host`, an empty user too; a password with `/` or `+` in it.
        // `host:8080/path@x` is a port and a path, not a password.
        form(
            r"[A-Za-z][A-Za-z0-9+.\-]{0,20}://[^\s:/?#@]*:([^\s@]+)@",
            1,
            |pw| {
                !pw.split('/')
                    .next()
                    .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
            },
        ),
        // `Cookie: a=1; b=2`, `Set-Cookie: …`: every value is a session.
        form(r"(?i)\b(?:set-)?cookie[ \t]*:[ \t]*([^\r\n]+)", 1, |v| {
            v.contains('=')
        }),
        // `mysql -uroot -pS3cret`, `mysqldump -p'…'`.
        form(
            r#"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\r\n]*?[ \t]-p['"]?([^\s'"-][^\s'"]*)"#,
            1,
            |_| true,
        ),
        // `sshpass -p '…'`.
        form(
            r#"\bsshpass\b[^\r\n]*?[ \t]-p[ \t]*['"]?([^\s'"]+)"#,
            1,
            |_| true,
        ),
        // `curl -u user:password`, any characters in the password (gitleaks' rule takes a few).
        form(
            r#"\bcurl\b[^\r\n]*?[ \t](?:-u|--user)(?:=|[ \t]+)['"]?[^:\s'"]*:([^\s'"]+)"#,
            1,
            |_| true,
        ),
        // Discord bot tokens (a base64 user id, a timestamp, an HMAC) and webhook URLs, Telegram
        // bot tokens: gitleaks knows them only next to the service's name.
        form(
            r"\b[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b",
            0,
            |_| true,
        ),
        form(
            r"discord(?:app)?\.com/api/webhooks/[0-9]+/([A-Za-z0-9_-]{60,})",
            1,
            |_| true,
        ),
        form(r"(?:bot|\b)([0-9]{8,10}:AA[A-Za-z0-9_-]{33})\b", 1, |_| {
            true
        }),
        // The credential of an HTTP authorization scheme; real ones have a digit (prose such
        // as "basic understanding" has not).
        form(
            r"(?i)\b(?:bearer|basic)[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)",
            1,
            |v| v.bytes().any(|b| b.is_ascii_digit()),
        ),
        // `the key is 8f14e45f…`, `token 4b2c…`: a long high-entropy value a few characters after
        // a key-like word.
        form(
            r#"(?i)\b(?:api[ _-]?key|key|token|secret|password|passphrase|credential)s?\b(?:[ \t]+(?:is|was|of)[ \t]+|[ \t]*[:=][ \t]*|[ \t]+)["'`]?([A-Za-z0-9+/_\-.=]{16,})"#,
            1,
            high_entropy,
        ),
        // `my password is hunter2`: a password said in prose, when it has a digit or a symbol
        // (`the password is incorrect` has not).
        form(
            r#"(?i)\b(?:password|passwd|passphrase|passcode|pwd)s?[ \t]+(?:is|was)[ \t]+["'`]?([^\s"'`]{4,})"#,
            1,
            |v| {
                let v = v.trim_end_matches(['.', ',', ';', '!', '?', ')']);
                v.bytes().any(|b| !b.is_ascii_alphabetic())
            },
        ),
        // A PEM private key, whole or cut off (a truncated capture, escaped newlines).
        form(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            0,
            |_| true,
        ),
        // Model providers' keys in every length they have had: OpenAI, Anthropic, DeepSeek, …
        form(r"\bsk-[A-Za-z0-9_\-]{16,}", 0, |_| true),
        // AWS access key ids, the documentation's example ones too.
        form(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", 0, |_| true),
    ]
}

/// A value that looks generated: letters and digits mixed, Shannon entropy above 3.5 bits.
fn high_entropy(v: &str) -> bool {
    let has = |f: fn(&u8) -> bool| v.as_bytes().iter().any(f);
    has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic) && entropy(v) > 3.5
}

/// Adds to `found` the credentials `text` holds in one of the forms.
pub(super) fn find(text: &str, found: &mut Vec<Range<usize>>) {
    let (set, forms) = &*FORMS;
    for form in set.matches(text).iter().map(|i| &forms[i]) {
        for caps in form.regex.captures_iter(text) {
            if let Some(secret) = caps.get(form.group) {
                if (form.accept)(secret.as_str()) {
                    found.push(secret.range());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        find(text, &mut found);
        found.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn credentials_in_their_forms() {
        assert_eq!(secrets("postgres://app:p/a+ss@db:5432/x"), ["p/a+ss"]);
        assert_eq!(secrets("redis://:s3cr3t@cache:6379"), ["s3cr3t"]);
        assert_eq!(
            secrets("Cookie: sid=abc; theme=dark"),
            ["sid=abc; theme=dark"]
        );
        assert_eq!(secrets("run mysql -uroot -pS3cret db"), ["S3cret"]);
        assert_eq!(
            secrets("Authorization: Bearer eyabc123def"),
            ["eyabc123def"]
        );
        assert_eq!(
            secrets("the key is 8f14e45fceea167a5a36dedd4bea2543"),
            ["8f14e45fceea167a5a36dedd4bea2543"]
        );
    }

    #[test]
    fn lookalikes_are_not_credentials() {
        for text in [
            "https://example.com:8080/a@b",
            "a cookie: a small baked treat",
            "docker run -p 8080:80 app",
            "a basic understanding of bearer authentication",
            "the key insight is simplicity",
            "the tokenizer splits text into tokens",
            "the password is incorrect.",
        ] {
            assert_eq!(secrets(text), Vec::<&str>::new(), "{text}");
        }
    }
}
