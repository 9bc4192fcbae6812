//! Helpers shared by the CLI integration tests (each test file uses some of them).
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Run the `notetag` binary with `args` and raw `stdin` bytes: (exit code, stdout,
/// stderr). Standard input is fed from a thread, so a large input cannot deadlock
/// against the output pipes; the binary may exit before reading it (usage errors),
/// and the broken pipe that gives is expected: the exit status tells the rest.
pub fn notetag_bytes(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, Vec<u8>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notetag"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = sin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

/// Run the `notetag` binary with `args` and `stdin`: (exit code, stdout, stderr),
/// both outputs checked to be UTF-8.
pub fn notetag(args: &[&str], stdin: &str) -> (i32, String, String) {
    let (code, out, err) = notetag_bytes(args, stdin.as_bytes());
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}
