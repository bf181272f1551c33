//! The cassette: recorded outputs filed by key, served back in order, and an account of what
//! was not. Putting a cassette in force for a run ([`Cassette::serve`], [`Cassette::serve_sync`])
//! is the context's job, beside the trace attributes' scope (`context/scope.rs`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use opentelemetry_sdk::trace::SpanData;
use serde_json::Value;

use super::codec::{Declined, Decode};
use super::recordings::Recording;
use crate::trace::Trace;

/// Why a call was not served from the cassette (it ran for real).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissReason {
    /// The cassette has no recording of this key at this position.
    NoRecordingLeft,
    /// The recorded run has this call but not its output: the reason it gave
    /// ([`REPLAY_SKIPPED`](crate::semconv::REPLAY_SKIPPED): `not serializable`, `too large`), or
    /// why the recorded span was unusable.
    NotRecorded(String),
    /// The recording does not deserialize into the return type (serde's message).
    Undeserializable(String),
    /// A recorded `Err` of an error type recorded by its text that cannot be built from it (it
    /// is not `From<String>`).
    ErrorNotReplayable,
    /// The return type cannot be replayed: neither `Serialize + DeserializeOwned` nor a `Result`
    /// of such a value with a `Display` error.
    NotReplayable,
}

impl fmt::Display for MissReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MissReason::NoRecordingLeft => f.write_str("no recording left"),
            MissReason::NotRecorded(why) => write!(f, "the recorded run has no output ({why})"),
            MissReason::Undeserializable(why) => {
                write!(f, "the recording does not deserialize: {why}")
            }
            MissReason::ErrorNotReplayable => f.write_str(
                "a recorded Err whose error type cannot be built from its text (not From<String>)",
            ),
            MissReason::NotReplayable => {
                f.write_str("the return type cannot be replayed (not Serialize + DeserializeOwned)")
            }
        }
    }
}

/// A call the cassette did not serve: its key, its position among the calls of that key (from
/// 0), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// `{operation} {name}` of the call.
    pub key: String,
    /// Which call of that key it was, from 0.
    pub position: usize,
    /// Why it ran for real.
    pub reason: MissReason,
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} #{}: {}", self.key, self.position, self.reason)
    }
}

/// Recorded outputs of `#[llm_call]` and `#[tool]` calls, served back in their place.
///
/// While a cassette is in force ([`Cassette::serve`], [`Cassette::serve_sync`], and the tasks and
/// threads started inside through [`crate::spawn`], [`crate::spawn_blocking`] and
/// [`crate::spawn_thread`]), the n-th call of a key takes the n-th recording of that key and
/// returns it without running its body. Its span is created as usual, and carries
/// [`REPLAY_REPLAYED`](crate::semconv::REPLAY_REPLAYED). A call the cassette cannot serve runs
/// for real and is counted in [`Cassette::misses`].
///
/// Cloning shares the cassette: keep a clone to inspect it after the run.
///
/// ```
/// use genai_tracing::replay::{Cassette, Recording};
///
/// #[genai_tracing::tool]
/// fn calculator(expr: &str) -> Result<f64, String> {
///     panic!("not called while replaying {expr}")
/// }
///
/// let cassette = Cassette::new([Recording::new(
///     "execute_tool calculator",
///     serde_json::json!({"Ok": 4.0}),
/// )]);
/// let answer = cassette.serve_sync(|| calculator("2 + 2"));
/// assert_eq!(answer, Ok(4.0));
/// cassette.assert_all_served();
/// ```
#[derive(Clone)]
pub struct Cassette(Arc<Mutex<Tape>>);

/// What a cassette holds.
#[derive(Default)]
struct Tape {
    /// Every recorded call, in the order of the recorded run.
    slots: Vec<Slot>,
    tracks: HashMap<String, Track>,
    misses: Vec<Miss>,
}

/// The recorded calls of one key, and how far the calls of that key have got.
#[derive(Default)]
struct Track {
    /// Indices into [`Tape::slots`], in order: the n-th is position n.
    slots: Vec<usize>,
    next: usize,
}

/// One recorded call.
struct Slot {
    key: String,
    position: usize,
    /// Its output, or why there is none.
    output: Result<Value, String>,
    served: bool,
    /// The recorded call it was made inside, if any: served, that call does not run, and
    /// neither do the calls inside it.
    within: Option<usize>,
}

/// A recorded call as a cassette is built from it.
struct Made {
    key: String,
    output: Result<Value, String>,
    within: Option<usize>,
}

impl Cassette {
    /// A cassette of `recordings`, in the order they were made.
    pub fn new(recordings: impl IntoIterator<Item = Recording>) -> Self {
        Self::of(recordings.into_iter().map(|r| Made {
            key: r.key,
            output: match r.skipped {
                Some(why) => Err(why),
                None => Ok(r.output),
            },
            within: r.within,
        }))
    }

    /// A cassette of what record mode wrote in `trace` (see [`Recording::all_in`]), e.g. a
    /// failing run read back from a trace file with [`read_traces`](crate::eval::read_traces).
    pub fn from_trace(trace: &Trace) -> Self {
        Self::new(Recording::all_in(trace))
    }

    /// A cassette of what record mode (see [`set_recording`](super::set_recording)) wrote on
    /// `spans`, in the order the spans started: the output of every span carrying a
    /// [`REPLAY_KEY`](crate::semconv::REPLAY_KEY). A span of that key without an output (skipped,
    /// or the call never returned) keeps its place, so the calls after it still line up: replayed,
    /// that call runs for real.
    ///
    /// A recorded call made inside another (a tool calling a model) is served only if the outer
    /// call runs for real: when the outer one is served, its body, and so the inner call, does
    /// not run, and the inner recording is skipped (not counted as [unused](Cassette::unused)).
    ///
    /// ```
    /// use opentelemetry_sdk::trace::InMemorySpanExporter;
    /// # fn run_agent() {}
    /// let exporter = InMemorySpanExporter::default();
    /// // … record a run with `genai_tracing::replay::set_recording(true)` into `exporter` …
    /// # run_agent();
    /// let cassette = genai_tracing::replay::Cassette::from_spans(&exporter.get_finished_spans()?);
    /// # Ok::<(), opentelemetry_sdk::error::OTelSdkError>(())
    /// ```
    pub fn from_spans(spans: &[SpanData]) -> Self {
        let mut all = Trace::default();
        for trace in Trace::from_spans(spans.iter().cloned()) {
            all.spans.extend(trace.spans);
        }
        all.spans.sort_by_key(|s| s.start_unix_nano);
        Self::from_trace(&all)
    }

    fn of(made: impl Iterator<Item = Made>) -> Self {
        let mut tape = Tape::default();
        for Made {
            key,
            output,
            within,
        } in made
        {
            let index = tape.slots.len();
            let track = tape.tracks.entry(key.clone()).or_default();
            track.slots.push(index);
            tape.slots.push(Slot {
                key,
                position: track.slots.len() - 1,
                output,
                served: false,
                within,
            });
        }
        Self(Arc::new(Mutex::new(tape)))
    }

    /// The calls that ran for real while this cassette was serving, in the order they were made.
    pub fn misses(&self) -> Vec<Miss> {
        self.tape().misses.clone()
    }

    /// The recordings never served, as `(key, position)`, in the order they were recorded (but
    /// not those made inside a call that was served: they had no call to serve).
    pub fn unused(&self) -> Vec<(String, usize)> {
        let tape = self.tape();
        (0..tape.slots.len())
            .filter(|&i| {
                let slot = &tape.slots[i];
                slot.output.is_ok() && !slot.served && !tape.skipped(i)
            })
            .map(|i| (tape.slots[i].key.clone(), tape.slots[i].position))
            .collect()
    }

    /// Panics, listing them, if a call ran for real or a recording was never served: the run
    /// did not go as recorded.
    ///
    /// ```should_panic
    /// # use genai_tracing::replay::{Cassette, Recording};
    /// let cassette = Cassette::new([Recording::new("chat plan", serde_json::json!({}))]);
    /// cassette.assert_all_served(); // "chat plan #0" was never served
    /// ```
    #[track_caller]
    pub fn assert_all_served(&self) {
        let (misses, unused) = (self.misses(), self.unused());
        if misses.is_empty() && unused.is_empty() {
            return;
        }
        let mut report = String::from("the run did not replay as recorded:");
        if !misses.is_empty() {
            report += &format!("\n  {} call(s) ran for real:", misses.len());
            for miss in &misses {
                report += &format!("\n    {miss}");
            }
        }
        if !unused.is_empty() {
            report += &format!("\n  {} recording(s) never served:", unused.len());
            for (key, position) in &unused {
                report += &format!("\n    {key} #{position}");
            }
        }
        panic!("{report}");
    }

    /// The next recording of `key` for a call of it, which takes that position whatever happens.
    /// `None` when there is nothing to serve (the miss is counted): no recording left, none
    /// made, or a return type that is not `replayable`.
    pub(crate) fn next(&self, key: &'static str, replayable: bool) -> Option<Pending> {
        let mut tape = self.tape();
        let Tape { slots, tracks, .. } = &mut *tape;
        let track = tracks.entry(key.to_owned()).or_default();
        // Recordings made inside a served call had their call skipped with it.
        while track
            .slots
            .get(track.next)
            .is_some_and(|&i| skipped(slots, i))
        {
            track.next += 1;
        }
        let position = track.next;
        track.next += 1;
        let output = track.slots.get(position).map(|&i| slots[i].output.clone());
        let reason = match output {
            _ if !replayable => MissReason::NotReplayable,
            Some(Ok(output)) => {
                return Some(Pending {
                    cassette: self.clone(),
                    key,
                    position,
                    output,
                })
            }
            Some(Err(why)) => MissReason::NotRecorded(why),
            None => MissReason::NoRecordingLeft,
        };
        tape.miss(key, position, reason);
        None
    }

    fn tape(&self) -> MutexGuard<'_, Tape> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether the slot `i` was made inside a call that was served (so its call never happens).
fn skipped(slots: &[Slot], i: usize) -> bool {
    let mut within = slots[i].within;
    while let Some(outer) = within {
        if slots[outer].served {
            return true;
        }
        within = slots[outer].within;
    }
    false
}

impl Tape {
    fn skipped(&self, i: usize) -> bool {
        skipped(&self.slots, i)
    }

    fn miss(&mut self, key: &str, position: usize, reason: MissReason) {
        self.misses.push(Miss {
            key: key.to_owned(),
            position,
            reason,
        });
    }
}

impl fmt::Debug for Cassette {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tape = self.tape();
        f.debug_struct("Cassette")
            .field("recordings", &tape.slots.len())
            .field("misses", &tape.misses.len())
            .finish_non_exhaustive()
    }
}

/// A recording taken for a call, not yet turned back into its value.
pub(crate) struct Pending {
    cassette: Cassette,
    key: &'static str,
    position: usize,
    output: Value,
}

impl Pending {
    /// The recorded value, counted as served; `None` when it does not decode (a miss).
    pub(crate) fn settle<R>(self, decode: Decode<R>) -> Option<R> {
        let decoded = decode(self.output);
        let mut tape = self.cassette.tape();
        match decoded {
            Ok(value) => {
                if let Some(&i) = tape
                    .tracks
                    .get(self.key)
                    .and_then(|t| t.slots.get(self.position))
                {
                    tape.slots[i].served = true;
                }
                Some(value)
            }
            Err(declined) => {
                let reason = match declined {
                    Declined::Mismatch(why) => MissReason::Undeserializable(why),
                    Declined::Error => MissReason::ErrorNotReplayable,
                };
                tape.miss(self.key, self.position, reason);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_u8(json: Value) -> Result<u8, Declined> {
        serde_json::from_value(json).map_err(|e| Declined::Mismatch(e.to_string()))
    }

    #[test]
    fn each_key_is_served_in_its_own_order_and_the_rest_is_accounted_for() {
        let cassette = Cassette::new([
            Recording::new("execute_tool a", 1.into()),
            Recording::new("execute_tool b", 10.into()),
            Recording::new("execute_tool a", 2.into()),
            Recording::new("execute_tool a", "three".into()),
            Recording::new("execute_tool c", 30.into()),
        ]);
        let serve = |key| cassette.next(key, true).and_then(|p| p.settle(decode_u8));
        assert_eq!(serve("execute_tool a"), Some(1));
        assert_eq!(serve("execute_tool a"), Some(2));
        assert_eq!(serve("execute_tool b"), Some(10));
        assert_eq!(serve("execute_tool a"), None, "not a u8");
        assert_eq!(serve("execute_tool a"), None, "none left");
        assert_eq!(cassette.next("execute_tool d", false).map(|_| ()), None);
        let reasons: Vec<(usize, MissReason)> = cassette
            .misses()
            .into_iter()
            .map(|m| (m.position, m.reason))
            .collect();
        assert!(
            matches!(&reasons[..], [
                (2, MissReason::Undeserializable(why)),
                (3, MissReason::NoRecordingLeft),
                (0, MissReason::NotReplayable),
            ] if why.contains("invalid type: string")),
            "{reasons:?}"
        );
        // Recorded order: `a #2` (not served: it did not decode) before `c #0`.
        assert_eq!(
            cassette.unused(),
            [
                ("execute_tool a".to_owned(), 2),
                ("execute_tool c".to_owned(), 0)
            ]
        );
        let report = std::panic::catch_unwind(|| cassette.assert_all_served())
            .expect_err("panics")
            .downcast::<String>()
            .expect("a message");
        assert!(
            report.contains("execute_tool a #3: no recording left")
                && report.contains("execute_tool c #0"),
            "{report}"
        );
    }
}
