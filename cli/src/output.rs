//! Standard output that outlives its reader: once the reader has gone (`genai-trace … | head`),
//! what follows is dropped, so a command still reaches its verdict and exit code.

use std::io::{self, ErrorKind, Write};

/// A writer that treats a closed pipe as the end of interest, not as an error.
#[derive(Debug)]
pub struct Output<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Output<W> {
    /// Writes to `inner` until its reader goes away.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            closed: false,
        }
    }

    /// Runs `step` on the inner writer, unless its reader has gone; a closed pipe closes it.
    fn unless_closed<T>(
        &mut self,
        done: T,
        step: impl FnOnce(&mut W) -> io::Result<T>,
    ) -> io::Result<T> {
        if self.closed {
            return Ok(done);
        }
        match step(&mut self.inner) {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.unless_closed(buf.len(), |w| w.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.unless_closed((), Write::flush)
    }
}
