//! A process-wide on/off setting that code may set and that otherwise comes from the
//! environment, read once, on first use: content capture and the built-in secret scrubbing are
//! two of them.

use std::sync::atomic::{AtomicU8, Ordering};

const UNRESOLVED: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

/// The setting: unresolved until code sets it or it is first read.
pub(crate) struct Switch(AtomicU8);

impl Switch {
    pub(crate) const fn new() -> Self {
        Self(AtomicU8::new(UNRESOLVED))
    }

    /// Sets it, overriding the environment.
    pub(crate) fn set(&self, on: bool) {
        self.0.store(if on { ON } else { OFF }, Ordering::Relaxed);
    }

    /// Whether it is on; the first read without a [`Switch::set`] takes `from_env()`.
    #[inline]
    pub(crate) fn get(&self, from_env: impl FnOnce() -> bool) -> bool {
        match self.0.load(Ordering::Relaxed) {
            ON => true,
            OFF => false,
            _ => {
                let on = if from_env() { ON } else { OFF };
                // A concurrent `set` wins over the environment.
                let _ =
                    self.0
                        .compare_exchange(UNRESOLVED, on, Ordering::Relaxed, Ordering::Relaxed);
                self.0.load(Ordering::Relaxed) == ON
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Switch;

    #[test]
    fn the_environment_is_read_once_and_code_wins() {
        let switch = Switch::new();
        assert!(switch.get(|| true));
        assert!(switch.get(|| unreachable!("read once")));
        switch.set(false);
        assert!(!switch.get(|| true));
        let switch = Switch::new();
        switch.set(true);
        assert!(switch.get(|| unreachable!("set in code")));
    }
}
