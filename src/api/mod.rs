//! The chat API as it comes over the wire: the shapes of its answers, the event-stream
//! parser, the fast chunk scanner, and the assembler that turns either into an `Answer`.

pub(crate) mod assemble;
pub(crate) mod scan;
pub(crate) mod sse;
pub(crate) mod think;
pub(crate) mod wire;
