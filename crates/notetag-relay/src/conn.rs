//! One WebSocket connection to one relay, kept up for as long as the labeler runs:
//! connect, pass text frames in and frames out, and on any failure reconnect with
//! exponential backoff.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::backoff::Backoff;

/// Longest text frame handled; a longer one is logged and skipped.
pub const MAX_FRAME_BYTES: usize = 1 << 20;

/// Longest message the WebSocket layer reads at all; a longer one ends the
/// connection (logged), which is then made again.
const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// First wait before reconnecting; it doubles up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// Longest wait before reconnecting.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A connection that lasted this long resets the backoff.
const STABLE: Duration = Duration::from_secs(10);

/// Time allowed for the TCP, TLS and WebSocket handshakes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A ping is sent this often; a relay silent for three times as long is dropped.
const PING_EVERY: Duration = Duration::from_secs(30);

/// Most frames written with one flush: the frames already queued are sent
/// together, not one write (and one wake-up of the relay) each.
const WRITE_BATCH: usize = 256;

/// What a connection reports to the labeler.
#[derive(Debug)]
pub enum FromConn {
    /// Connected (again); frames queued for an earlier connection were dropped.
    Up(usize),
    /// The connection is gone, and why.
    Down(usize, String),
    /// A text frame.
    Text(usize, String),
    /// A frame that is not a text frame of a sane size.
    Garbage(usize, String),
}

/// The labeler's handle on a connection task.
#[derive(Debug)]
pub struct Conn {
    /// The relay.
    pub url: String,
    /// Frames to send while connected.
    pub out: mpsc::UnboundedSender<String>,
    /// The task.
    pub task: JoinHandle<()>,
}

/// Start the connection task for relay number `idx`.
pub fn spawn(idx: usize, url: String, inbound: mpsc::Sender<FromConn>, stop: watch::Receiver<bool>) -> Conn {
    let (out, out_rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(idx, url.clone(), out_rx, inbound, stop));
    Conn { url, out, task }
}

async fn run(
    idx: usize,
    url: String,
    mut out: mpsc::UnboundedReceiver<String>,
    inbound: mpsc::Sender<FromConn>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(FIRST_BACKOFF, MAX_BACKOFF);
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    loop {
        if *stop.borrow() {
            return;
        }
        let connect = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true);
        let attempt = tokio::select! {
            r = tokio::time::timeout(CONNECT_TIMEOUT, connect) => r,
            _ = stop.changed() => return,
        };
        let why = match attempt {
            Ok(Ok((ws, _))) => {
                while out.try_recv().is_ok() {}
                if inbound.send(FromConn::Up(idx)).await.is_err() {
                    return;
                }
                let began = Instant::now();
                let why = pump(idx, ws, &mut out, &inbound, &mut stop).await;
                if began.elapsed() >= STABLE {
                    backoff.reset();
                }
                if inbound.send(FromConn::Down(idx, why.clone())).await.is_err() || *stop.borrow() {
                    return;
                }
                why
            }
            Ok(Err(e)) => format!("cannot connect: {e}"),
            Err(_) => format!("cannot connect: no answer in {}s", CONNECT_TIMEOUT.as_secs()),
        };
        let wait = backoff.next_delay();
        eprintln!(
            "notetag relay: {url}: {why}; connecting again in {:.1}s",
            wait.as_secs_f64()
        );
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Send `first` and the frames queued behind it (up to [`WRITE_BATCH`]), then flush.
async fn send_queued(
    sink: &mut futures_util::stream::SplitSink<Ws, Message>,
    first: String,
    out: &mut mpsc::UnboundedReceiver<String>,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    sink.feed(Message::Text(first.into())).await?;
    for _ in 1..WRITE_BATCH {
        match out.try_recv() {
            Ok(f) => sink.feed(Message::Text(f.into())).await?,
            Err(_) => break,
        }
    }
    sink.flush().await
}

/// Pass frames both ways until the connection fails or the labeler stops; returns why.
async fn pump(
    idx: usize,
    ws: Ws,
    out: &mut mpsc::UnboundedReceiver<String>,
    inbound: &mpsc::Sender<FromConn>,
    stop: &mut watch::Receiver<bool>,
) -> String {
    let (mut sink, mut stream) = ws.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut heard = Instant::now();
    loop {
        let report = tokio::select! {
            msg = stream.next() => match msg {
                None => return "the relay closed the connection".into(),
                Some(Err(e)) => return format!("connection lost: {e}"),
                Some(Ok(msg)) => {
                    heard = Instant::now();
                    match msg {
                        Message::Text(t) if t.len() > MAX_FRAME_BYTES => {
                            Some(FromConn::Garbage(idx, format!("text frame of {} bytes skipped (limit {MAX_FRAME_BYTES})", t.len())))
                        }
                        Message::Text(t) => Some(FromConn::Text(idx, t.as_str().to_owned())),
                        Message::Binary(b) => Some(FromConn::Garbage(idx, format!("binary frame of {} bytes skipped", b.len()))),
                        Message::Close(_) => return "the relay closed the connection".into(),
                        _ => None,
                    }
                }
            },
            frame = out.recv() => match frame {
                Some(f) => match send_queued(&mut sink, f, out).await {
                    Ok(()) => None,
                    Err(e) => return format!("cannot send: {e}"),
                },
                None => return "stopped".into(),
            },
            _ = ping.tick() => {
                if heard.elapsed() > 3 * PING_EVERY {
                    return format!("the relay was silent for {}s", heard.elapsed().as_secs());
                }
                match sink.send(Message::Ping(Vec::new().into())).await {
                    Ok(()) => None,
                    Err(e) => return format!("cannot send: {e}"),
                }
            }
            _ = stop.changed() => {
                let _ = sink.send(Message::Close(None)).await;
                return "stopped".into();
            }
        };
        if let Some(r) = report {
            if inbound.send(r).await.is_err() {
                return "stopped".into();
            }
        }
    }
}
