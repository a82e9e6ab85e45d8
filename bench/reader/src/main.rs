//! Posts a streaming request and copies the response body to stdout with reqwest alone,
//! no parsing: the floor under any client built on it. `blocking` reads through
//! `reqwest::blocking` (hyper runs on reqwest's own runtime thread and hands the body
//! over); `inline` drives the same client on a current-thread runtime, so the socket is
//! read on the thread that writes stdout.
//!
//!     mume-bench-reader blocking|inline URL MODEL

use std::error::Error;
use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, url, model] = args.as_slice() else {
        eprintln!("usage: mume-bench-reader blocking|inline URL MODEL");
        return ExitCode::from(64);
    };
    let body = format!(
        r#"{{"model":"{model}","stream":true,"messages":[{{"role":"user","content":"q"}}]}}"#
    );
    let result = match mode.as_str() {
        "blocking" => blocking(url, body),
        "inline" => inline(url, body),
        _ => Err(format!("unknown mode {mode}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mume-bench-reader: {e}");
            ExitCode::FAILURE
        }
    }
}

fn blocking(url: &str, body: String) -> Result<(), Box<dyn Error>> {
    let client = reqwest::blocking::Client::builder().timeout(None).build()?;
    let mut response = client.post(url).body(body).send()?.error_for_status()?;
    let mut out = std::io::stdout().lock();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = response.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n]).and_then(|()| out.flush())?;
    }
}

fn inline(url: &str, body: String) -> Result<(), Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // The future is the whole request: the runtime only ever runs on this thread.
        let client = reqwest::Client::new();
        let mut response = client
            .post(url)
            .body(body)
            .send()
            .await?
            .error_for_status()?;
        let mut out = std::io::stdout().lock();
        while let Some(piece) = response.chunk().await? {
            out.write_all(&piece).and_then(|()| out.flush())?;
        }
        Ok(())
    })
}
