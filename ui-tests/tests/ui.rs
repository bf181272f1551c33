//! Every misuse of the macros is a compile error pointing at the user's tokens, with a message
//! that says what to do. The expected errors are committed as `cases/*.stderr`; bless changes with
//! `TRYBUILD=overwrite cargo test -p genai-tracing-ui-tests`.

#[test]
fn misuse_is_a_compile_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("cases/*.rs");
}
