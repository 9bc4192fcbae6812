//! The relay crate against real relays on 127.0.0.1: nostr-relay-builder's
//! in-memory `LocalRelay`, some behind a proxy that cuts connections and injects
//! garbage frames. One test binary, so that it links once.

mod common;
mod labeler;
mod measure;
mod proxy;
mod publish;
