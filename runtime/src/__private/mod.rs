//! What the macros' expansion calls. Not public API: it may change in any release.
//!
//! The expansion runs in the user's crate, so everything it names is here, under one path. The
//! choices it makes on the concrete types of the user's function (autoref specialisation: a
//! method found on `&&&Probe<T>` if `T` has a trait, else on `&&Probe<T>`, …) are here too, one
//! probe per file: how an error is described (`error.rs`), how a return value is recorded
//! (`codec.rs`), which argument is a model request (`request.rs`), whether a value is a
//! `Result` (`outcome.rs`), how many records a result holds (`count.rs`).

mod codec;
mod count;
mod error;
mod outcome;
mod request;

pub use codec::{ReplayProbe, ViaNotReplayable, ViaResultDisplay, ViaResultFromString, ViaSerde};
pub use count::{CountProbe, ViaNotAList, ViaVec};
pub use error::{
    described, Failure, ViaDebug, ViaDisplay, ViaErrorType, ViaNoDescription, ViaTypeName,
};
pub use outcome::{OutcomeProbe, ViaResult, ViaValue};
pub use request::{RequestProbe, ViaModelRequest, ViaOtherArgument};

pub use crate::__genai_describe_error as describe_error;
pub use crate::__genai_find_request as find_request;
pub use crate::__genai_outcome as outcome;
pub use crate::__genai_record_count as record_count;
pub use crate::__genai_replay as replay;
pub use crate::__genai_span as span;
pub use crate::call::{
    backoff, Attempts, Call, CallFuture, Replay, Replaying, RetryPolicy, State, StreamReturn,
    TracedStream,
};
pub use crate::capture::Budget;
pub use crate::failure::Described;
pub use crate::replay::codec::Codec;
pub use crate::spans::{declared, sets_field};
pub use tracing;
