//! Compile-fail tests live in `cases/`; `tests/ui.rs` runs them.
