//! A TCP proxy in front of a relay: it can cut every connection, refuse new ones
//! for a while, and slip extra WebSocket frames between the relay's frames.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Default)]
struct Ctl {
    down: AtomicBool,
    inject: AtomicBool,
    frames: Mutex<Vec<(u8, Vec<u8>)>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    accepted: AtomicUsize,
    injected: AtomicUsize,
}

/// The proxy; `url` is what clients connect to.
pub struct Proxy {
    pub url: String,
    ctl: Arc<Ctl>,
    _accept: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let ctl = Arc::new(Ctl::default());
        let c = ctl.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if c.down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                c.accepted.fetch_add(1, Ordering::SeqCst);
                let task = tokio::spawn(serve(client, upstream, c.clone()));
                c.tasks.lock().unwrap().push(task);
            }
        });
        Proxy {
            url,
            ctl,
            _accept: accept,
        }
    }

    /// Close every open connection at once.
    pub fn cut(&self) {
        for t in self.ctl.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// While down, new connections are closed as soon as they are accepted.
    pub fn set_down(&self, down: bool) {
        self.ctl.down.store(down, Ordering::SeqCst);
    }

    /// Frames (opcode, payload) to slip in, in turn, after each frame of the relay.
    pub fn inject(&self, frames: Vec<(u8, Vec<u8>)>) {
        *self.ctl.frames.lock().unwrap() = frames;
        self.ctl.inject.store(true, Ordering::SeqCst);
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.ctl.accepted.load(Ordering::SeqCst)
    }

    /// Frames slipped in so far.
    pub fn injected(&self) -> usize {
        self.ctl.injected.load(Ordering::SeqCst)
    }
}

async fn serve(client: TcpStream, upstream: SocketAddr, ctl: Arc<Ctl>) {
    let Ok(up) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut ur, uw) = up.into_split();
    let mut uw = uw;
    let to_relay = async move {
        let _ = tokio::io::copy(&mut cr, &mut uw).await;
    };
    let to_client = async move {
        let _ = relay_to_client(&mut ur, &mut cw, &ctl).await;
    };
    tokio::select! {
        _ = to_relay => {}
        _ = to_client => {}
    }
}

/// Forward the HTTP upgrade answer, then frame by frame, slipping frames in.
async fn relay_to_client(
    r: &mut tokio::net::tcp::OwnedReadHalf,
    w: &mut tokio::net::tcp::OwnedWriteHalf,
    ctl: &Ctl,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|x| x == b"\r\n\r\n") {
            break p + 4;
        }
        fill(r, &mut buf).await?;
    };
    w.write_all(&buf[..head_end]).await?;
    buf.drain(..head_end);
    let mut turn = 0usize;
    loop {
        while buf.len() < 2 {
            fill(r, &mut buf).await?;
        }
        let (len, masked) = (buf[1] & 0x7f, buf[1] & 0x80 != 0);
        let ext = match len {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let head = 2 + ext + if masked { 4 } else { 0 };
        while buf.len() < head {
            fill(r, &mut buf).await?;
        }
        let payload = match ext {
            2 => u16::from_be_bytes([buf[2], buf[3]]) as usize,
            8 => u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
            _ => len as usize,
        };
        while buf.len() < head + payload {
            fill(r, &mut buf).await?;
        }
        let (fin, opcode) = (buf[0] & 0x80 != 0, buf[0] & 0x0f);
        w.write_all(&buf[..head + payload]).await?;
        buf.drain(..head + payload);
        if fin && opcode != 0x8 && ctl.inject.load(Ordering::SeqCst) {
            let frame = {
                let frames = ctl.frames.lock().unwrap();
                frames.get(turn % frames.len().max(1)).cloned()
            };
            if let Some((op, data)) = frame {
                w.write_all(&encode(op, &data)).await?;
                ctl.injected.fetch_add(1, Ordering::SeqCst);
                turn += 1;
            }
        }
    }
}

async fn fill(r: &mut tokio::net::tcp::OwnedReadHalf, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 16384];
    let n = r.read(&mut chunk).await?;
    if n == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// An unmasked (server-to-client) frame.
pub fn encode(opcode: u8, data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match data.len() {
        n if n < 126 => f.push(n as u8),
        n if n < 65536 => {
            f.push(126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(data);
    f
}
