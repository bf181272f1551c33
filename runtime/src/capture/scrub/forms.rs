//! Credentials recognisable by the form around them rather than a name or a token format: a
//! password in a URL, a `Cookie:` line, `mysql -p…`, an authorization scheme's credential, a
//! high-entropy value just after a key-like word, a PEM private key (cut ones too) — and the
//! loose key shapes of the model providers this crate traces (`sk-…`), which gitleaks only
//! knows in their newest exact lengths.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::entropy::entropy;
use super::keys::{is_sensitive_key, placeholder};

/// One form: the words one of which it always contains (case-insensitive; none: it runs on
/// every text), its pattern, the group holding the secret, and what of the group is secret.
struct Form {
    keywords: &'static [&'static str],
    regex: Regex,
    group: usize,
    take: Take,
}

/// What of a form's group is secret.
enum Take {
    /// The whole group, when it passes the check.
    If(fn(&str) -> bool),
    /// The session values of a cookie list (`sid=…; theme=dark`: `sid`'s only).
    Cookies,
    /// The value (the last group that took part) of a name (group 1) that is sensitive, when it
    /// passes the check.
    NamedValue(fn(&str) -> bool),
}

fn form(
    keywords: &'static [&'static str],
    pattern: &str,
    group: usize,
    accept: fn(&str) -> bool,
) -> Form {
    Form {
        keywords,
        regex: Regex::new(pattern).expect("the credential forms are valid"),
        group,
        take: Take::If(accept),
    }
}

fn named_value(keywords: &'static [&'static str], pattern: &str, accept: fn(&str) -> bool) -> Form {
    Form {
        take: Take::NamedValue(accept),
        ..form(keywords, pattern, 1, |_| true)
    }
}

fn cookies(keywords: &'static [&'static str], pattern: &str) -> Form {
    Form {
        take: Take::Cookies,
        ..form(keywords, pattern, 1, |_| true)
    }
}

/// `tool …option value`: the value of a tool's password option.
fn tool_option(keywords: &'static [&'static str], tool: &str, option: &str) -> Form {
    form(
        keywords,
        &format!(r#"\b{tool}\b[^\r\n]*?[ \t]{option}[ \t]*['"]?([^\s'"]+)"#),
        1,
        |pw| !placeholder(pw),
    )
}

/// The forms, and their keywords in one automaton: one pass says which forms can occur at all
/// (most text holds none), as gitleaks' keywords do for its rules. (One `RegexSet` of the
/// patterns is too big for a lazy DFA: 7 ms on 16 KiB where this takes microseconds.)
struct Forms {
    forms: [Form; 34],
    keywords: AhoCorasick,
    keyword_form: Vec<usize>,
}

static FORMS: LazyLock<Forms> = LazyLock::new(|| {
    let forms = forms();
    let (patterns, keyword_form): (Vec<&str>, Vec<usize>) = forms
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.keywords.iter().map(move |k| (*k, i)))
        .unzip();
    let keywords = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(patterns)
        .expect("the forms' keywords build an automaton");
    Forms {
        forms,
        keywords,
        keyword_form,
    }
});

fn forms() -> [Form; 34] {
    [
        // `scheme://user:password@host`, an empty user too; a password with `/` or `+` in it.
        // `host:8080/path@x` is a port and a path, not a password.
        form(
            &["://"],
            r"[A-Za-z][A-Za-z0-9+.\-]{0,20}://[^\s:/?#@]*:([^\s@]+)@",
            1,
            |pw| {
                let port_and_path = pw
                    .split('/')
                    .next()
                    .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
                !port_and_path && !placeholder(pw)
            },
        ),
        // `Cookie: a=1; b=2`, `Set-Cookie: …`, `curl -b 'sid=…'`.
        cookies(&["cookie"], r"(?i)\b(?:set-)?cookie[ \t]*:[ \t]*([^\r\n]+)"),
        cookies(
            &["-b", "--cookie"],
            r#"(?:^|[ \t])(?:-b|--cookie)(?:=|[ \t]+)['"]?([^'"\r\n]+)"#,
        ),
        // A URL's signature (`?sig=…` of an Azure SAS, `X-Amz-Signature=…`): it is the credential.
        form(
            &["sig", "signature"],
            r"(?i)[?&](?:sig|signature|x-amz-signature|x-goog-signature)=([^&\s#'\x22]{16,})",
            1,
            |_| true,
        ),
        // A token as a URL's user (`https://<key>@o1.ingest.sentry.io/1`, `https://ghp_…@github.com`).
        form(
            &["://"],
            r"[A-Za-z][A-Za-z0-9+.\-]{0,20}://([A-Za-z0-9_\-]{16,})@",
            1,
            high_entropy,
        ),
        // `mysql -uroot -pS3cret`, `mysqldump -p'…'`.
        form(
            &["mysql", "mariadb"],
            r#"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\r\n]*?[ \t]-p['"]?([^\s'"-][^\s'"]*)"#,
            1,
            |_| true,
        ),
        // The password options of well-known tools: `sshpass -p '…'`, `docker login -p …`,
        // `redis-cli -a …`, `cqlsh -p …`, `ldapsearch -w …`.
        tool_option(&["sshpass"], r"sshpass", "-p"),
        tool_option(
            &["login"],
            r"(?:docker|podman|helm|nerdctl|buildah|skopeo)\s+(?:registry\s+)?login",
            "-p",
        ),
        tool_option(&["redis-cli"], r"redis-cli", "-a"),
        tool_option(&["cqlsh"], r"cqlsh", "-p"),
        tool_option(
            &["ldap"],
            r"ldap(?:search|modify|add|delete|whoami|passwd|compare)",
            "-w",
        ),
        // `.netrc` and `.pgpass` lines: `machine h login u password p`, `host:5432:db:user:pw`.
        form(
            &["password"],
            r"(?m)^[ \t]*(?:machine[ \t]+\S+[ \t]+)?(?:login[ \t]+\S+[ \t]+)?password[ \t]+(\S+)[ \t]*$",
            1,
            |pw| !pw.starts_with(['=', ':']) && !placeholder(pw),
        ),
        form(
            &[],
            r"(?m)^[^:\s]+:(?:[0-9]+|\*):[^:\s]+:[^:\s]+:(\S+)$",
            1,
            |_| true,
        ),
        // Oracle's `user/password@host` (`sqlplus system/…@//db`, `jdbc:oracle:thin:scott/…@h`).
        form(
            &["sqlplus", "oracle"],
            r"(?:\bsqlplus\s+|jdbc:oracle:[a-z]+:)[A-Za-z0-9_$#]+/([^\s@/]+)@",
            1,
            |pw| !placeholder(pw),
        ),
        // SQL: `WITH PASSWORD '…'`, `IDENTIFIED BY "…"`.
        form(
            &["password", "identified"],
            r#"(?i)\b(?:with\s+(?:encrypted\s+)?password|identified\s+by(?:\s+password)?)\s+['"]([^'"\r\n]+)['"]"#,
            1,
            |pw| !placeholder(pw),
        ),
        // PowerShell: `ConvertTo-SecureString '…' -AsPlainText`.
        form(
            &["ConvertTo-SecureString"],
            r#"(?i)ConvertTo-SecureString\s+(?:-String\s+)?['"]([^'"\r\n]+)['"]"#,
            1,
            |_| true,
        ),
        // Password hashes in crypt formats (htpasswd, shadow, bcrypt): crackable offline.
        form(
            &[
                "$apr1$", "$2a$", "$2b$", "$2y$", "$1$", "$5$", "$6$", "$y$", "$argon2",
            ],
            r"\$(?:apr1|2[abxy]|[156]|y|argon2(?:id|i|d))\$[^\s:'\x22]{8,}",
            0,
            |_| true,
        ),
        // Key and vault blocks: a PuTTY key's private lines, an Ansible vault's ciphertext.
        form(
            &["Private-Lines"],
            r"Private-Lines:[ \t]*[0-9]+\r?\n((?:[A-Za-z0-9+/=]+\r?\n?)+)",
            1,
            |_| true,
        ),
        form(
            &["$ANSIBLE_VAULT"],
            r"\$ANSIBLE_VAULT;[^\n]*\n((?:[ \t]*[0-9a-f]{16,}[ \t]*\n?)+)",
            1,
            |_| true,
        ),
        // A Microsoft Teams webhook's path past `IncomingWebhook/`.
        form(
            &["IncomingWebhook"],
            r"/IncomingWebhook/([^\s'\x22<>]+)",
            1,
            |_| true,
        ),
        // `curl -u user:password`, any characters in the password (gitleaks' rule takes a few).
        form(
            &["curl"],
            r#"\bcurl\b[^\r\n]*?[ \t](?:-u|--user)(?:=|[ \t]+)['"]?[^:\s'"]*:([^\s'"]+)"#,
            1,
            |_| true,
        ),
        // Discord bot tokens (a base64 user id, a timestamp, an HMAC) and webhook URLs, Telegram
        // bot tokens: gitleaks knows them only next to the service's name.
        form(
            &[],
            r"\b[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b",
            0,
            |_| true,
        ),
        form(
            &["discord"],
            r"discord(?:app)?\.com/api/webhooks/[0-9]+/([A-Za-z0-9_-]{60,})",
            1,
            |_| true,
        ),
        form(
            &[":AA"],
            r"(?:bot|\b)([0-9]{8,10}:AA[A-Za-z0-9_-]{33})\b",
            1,
            |_| true,
        ),
        // The credential of an HTTP authorization scheme; real ones have a digit (prose such
        // as "basic understanding" has not).
        form(
            &["bearer", "basic"],
            r"(?i)\b(?:bearer|basic)[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)",
            1,
            |v| v.bytes().any(|b| b.is_ascii_digit()),
        ),
        // `the key is 8f14e45f…`, `token 4b2c…`: a long high-entropy value a few characters after
        // a key-like word.
        form(
            &[
                "key",
                "token",
                "secret",
                "password",
                "passphrase",
                "credential",
            ],
            r#"(?i)\b(?:api[ _-]?key|key|token|secret|password|passphrase|credential)s?\b(?:(?:[ \t]+[A-Za-z0-9_.-]+){0,3}?[ \t]+(?:is|was|of)[ \t]+|[ \t]*[:=][ \t]*|[ \t]+)["'`]?([A-Za-z0-9+/_\-.=]{16,})"#,
            1,
            high_entropy,
        ),
        // `my password is hunter2`, `the password for the panel is …`: a password said in prose,
        // when it has a digit or a symbol (`the password is incorrect` has not).
        form(
            &["password", "passwd", "passphrase", "passcode", "pwd"],
            r#"(?i)\b(?:password|passwd|passphrase|passcode|pwd)s?\b(?:[ \t]+[A-Za-z0-9'-]+){0,6}?[ \t]+(?:is|was)[ \t]+["'`]?([^\s"'`]{4,})"#,
            1,
            |v| {
                let v = v.trim_end_matches(['.', ',', ';', '!', '?', ')']);
                !placeholder(v) && v.bytes().any(|b| !b.is_ascii_alphabetic())
            },
        ),
        // The same in other languages (`das Passwort lautet …`, `le mot de passe : …`), when
        // the password has a letter and a digit.
        form(
            &[
                "passwort",
                "mot de passe",
                "contrase",
                "senha",
                "wachtwoord",
            ],
            r#"(?i)\b(?:passwort|mot de passe|contraseña|contrasena|senha|wachtwoord)\b(?:[ \t]+[\w'-]+){0,6}?(?:[ \t]+(?:ist|lautet|est|es|é|era|is)[ \t]+|[ \t]*:[ \t]*)["'`]?([^\s"'`]{4,})"#,
            1,
            |v| {
                let v = v.trim_end_matches(['.', ',', ';', '!', '?', ')']);
                let has = |f: fn(&u8) -> bool| v.as_bytes().iter().any(f);
                !placeholder(v) && has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic)
            },
        ),
        // A name and its value in fields of their own: `name: API_TOKEN` then `value: "…"`
        // (Kubernetes, ECS), `{"key": "DB_PASSWORD", "value": "…"}`, `<add key="…Secret"
        // value="…"/>`; a Markdown table's `| DB_PASSWORD | … |`; a Terraform output's
        // `"sensitive": true, … "value": "…"`.
        named_value(
            &["name", "key"],
            r#"(?i)\b(?:name|key)["']?[ \t]*[:=][ \t]*["']?([A-Za-z_][A-Za-z0-9_.:-]*)["']?[ \t]*[,;]?[ \t]*(?:\r?\n[ \t]*)?["']?value["']?[ \t]*[:=][ \t]*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s,;}'"]+))"#,
            |_| true,
        ),
        named_value(
            &["|"],
            r"(?m)^[ \t]*\|[ \t]*`?([A-Za-z_][A-Za-z0-9_.-]*)`?[ \t]*\|[ \t]*`?([^|`\r\n]*?)`?[ \t]*\|",
            // A value, not a description: no blank, a digit or a symbol in it.
            |v| !v.contains(char::is_whitespace) && !v.bytes().all(|b| b.is_ascii_alphabetic()),
        ),
        form(
            &["sensitive"],
            r#""sensitive"[ \t]*:[ \t]*true[^{}]{0,200}?"value"[ \t]*:[ \t]*"([^"\r\n]*)""#,
            1,
            |v| !placeholder(v),
        ),
        // A PEM private key, whole or cut off (a truncated capture, escaped newlines).
        form(
            &["-----BEGIN"],
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            0,
            |_| true,
        ),
        // Model providers' keys in every length they have had: OpenAI, Anthropic, DeepSeek, …
        form(&["sk-"], r"\bsk-[A-Za-z0-9_\-]{16,}", 0, |_| true),
        // AWS access key ids, the documentation's example ones too.
        form(
            &["akia", "asia"],
            r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
            0,
            |_| true,
        ),
    ]
}

/// The values of the session cookies in a cookie list (`name=value; …`): the ones under a
/// name that says so (`sid`, `session…`, `…token`, `jwt`, `auth…`, `remember…`, `csrf`) or
/// long enough to be a session id; `Path`, `Domain` and the other attributes of a
/// `Set-Cookie` and short values (`theme=dark`) are kept.
fn session_values(text: &str, list: Range<usize>, found: &mut Vec<Range<usize>>) {
    const ATTRIBUTES: [&str; 9] = [
        "path",
        "domain",
        "max-age",
        "expires",
        "samesite",
        "secure",
        "httponly",
        "priority",
        "partitioned",
    ];
    const SESSION: [&str; 8] = [
        "sid", "sess", "jwt", "auth", "remember", "csrf", "xsrf", "login",
    ];
    let mut at = list.start;
    for pair in text[list.clone()].split(';') {
        let start = at + (pair.len() - pair.trim_start().len());
        at += pair.len() + 1;
        let Some((name, value)) = pair.trim().split_once('=') else {
            continue;
        };
        let lower = name.trim().to_ascii_lowercase();
        if ATTRIBUTES.contains(&lower.as_str()) || value.is_empty() {
            continue;
        }
        if value.len() >= 16
            || is_sensitive_key(&lower)
            || SESSION.iter().any(|s| lower.contains(s))
        {
            let from = start + name.len() + 1;
            found.push(from..from + value.len());
        }
    }
}

/// A value that looks generated: letters and digits mixed, Shannon entropy above 3.5 bits.
fn high_entropy(v: &str) -> bool {
    let has = |f: fn(&u8) -> bool| v.as_bytes().iter().any(f);
    has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic) && entropy(v) > 3.5
}

/// Adds to `found` the credentials `text` holds in one of the forms.
pub(super) fn find(text: &str, found: &mut Vec<Range<usize>>) {
    let all = &*FORMS;
    let mut present: Vec<usize> = all
        .keywords
        .find_overlapping_iter(text)
        .map(|m| all.keyword_form[m.pattern().as_usize()])
        .collect();
    present.extend(
        all.forms
            .iter()
            .enumerate()
            .filter(|(_, f)| f.keywords.is_empty())
            .map(|(i, _)| i),
    );
    present.sort_unstable();
    present.dedup();
    for form in present.into_iter().map(|i| &all.forms[i]) {
        for caps in form.regex.captures_iter(text) {
            let Some(secret) = caps.get(form.group) else {
                continue;
            };
            match form.take {
                Take::If(accept) if accept(secret.as_str()) => found.push(secret.range()),
                Take::If(_) => {}
                Take::Cookies => session_values(text, secret.range(), found),
                Take::NamedValue(accept) => {
                    let value = caps.iter().skip(2).flatten().last();
                    if let Some(value) = value.filter(|v| {
                        is_sensitive_key(secret.as_str())
                            && !placeholder(v.as_str())
                            && accept(v.as_str())
                    }) {
                        found.push(value.range());
                    }
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
        assert_eq!(secrets("Cookie: sid=abc; theme=dark"), ["abc"]);
        assert_eq!(
            secrets("curl -b 'connect.sid=s%3Aese148Cb3q' https://x"),
            ["s%3Aese148Cb3q"]
        );
        assert_eq!(
            secrets("a.csv?sv=2022&sig=9rNCbgkNQ%2BWdmQLnFnarAniYzDTT3E"),
            ["9rNCbgkNQ%2BWdmQLnFnarAniYzDTT3E"]
        );
        assert_eq!(
            secrets("https://79f5267a8c12f749a5946b85d508b037@o1.ingest.sentry.io/4"),
            ["79f5267a8c12f749a5946b85d508b037"]
        );
        assert_eq!(
            secrets("the password for the admin panel is u%*t^T2CH8 -- ok"),
            ["u%*t^T2CH8"]
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
        assert_eq!(
            secrets("with key=8f14e45fceea167a5a36dedd4bea2543: expired"),
            ["8f14e45fceea167a5a36dedd4bea2543"]
        );
        assert_eq!(
            secrets("curl -u admin:S3cr3t-Adm1n!7 https://ci"),
            ["S3cr3t-Adm1n!7"]
        );
        assert_eq!(secrets("sshpass -p 'pw%4y' ssh host"), ["pw%4y"]);
        assert_eq!(secrets("lol my password is hunter2 ok"), ["hunter2"]);
    }

    #[test]
    fn lookalikes_are_not_credentials() {
        for text in [
            "https://example.com:8080/a@b",
            "a cookie: a small baked treat",
            "Set-Cookie: theme=dark; Path=/; Max-Age=31536000",
            "the password you entered is incorrect",
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
