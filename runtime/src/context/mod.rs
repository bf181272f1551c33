//! What is in force for the calls made in a scope, and how it travels: the trace attributes and
//! the replay cassette of a scope (`scope.rs`), the trace context across processes
//! (`propagation.rs`, public as [`crate::propagation`]), and across tasks and threads
//! (`task.rs`: [`crate::spawn`] and its kin).

pub mod propagation;
pub(crate) mod scope;
mod task;

pub use scope::{Scoped, TraceAttributes};
pub use task::{spawn, spawn_blocking, spawn_thread};
