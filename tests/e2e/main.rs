//! The end-to-end tests: the real binary against servers on loopback that the tests start,
//! one module per area of the contract, all linked into one test binary.

mod common;

mod batch;
mod cmd;
mod conversations;
mod failures;
mod history;
mod hostile;
mod layout;
mod output;
mod prompt;
mod provider;
mod readme;
mod render;
mod request;
mod roles;
mod secrets;
mod shell;
mod templates;
mod tools;
