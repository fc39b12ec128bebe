//! A browser's NATS connection, for tests: the NATS text protocol spoken by
//! hand over a websocket that carries the page's `Origin` header.
//!
//! Why not async-nats: its websocket transport sends no request headers, so
//! it cannot connect the way a page does (nats-server lets a request without
//! `Origin` through, which is a different client from the one under test),
//! and it reports the server's `-ERR` lines only as events. Attack tests need
//! the page's exact handshake, each verdict the server gives (permissions
//! violations), and any reply subject on a publish.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context as _};
use futures::stream::{SplitSink, StreamExt};
use futures::SinkExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_websockets::{MaybeTlsStream, Message, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long the handshake (upgrade, CONNECT, the callout's verdict) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A message the server delivered (`MSG` or `HMSG`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// The subject it was published on.
    pub subject: String,
    /// Its reply subject, if any.
    pub reply: Option<String>,
    /// The status of a status message (`NATS/1.0 503` is no responders).
    pub status: Option<u16>,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub payload: Vec<u8>,
}

impl Msg {
    /// The first header named `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the reader task shares with the handle (it answers the server's PINGs too).
struct Shared {
    writer: tokio::sync::Mutex<SplitSink<Socket, Message>>,
    subs: Mutex<HashMap<u64, mpsc::UnboundedSender<Msg>>>,
    errors: Mutex<Vec<String>>,
    /// PONGs received, and whether the connection is open.
    state: watch::Sender<(u64, bool)>,
}

impl Shared {
    async fn send(&self, frame: Vec<u8>) -> anyhow::Result<()> {
        if !self.state.borrow().1 {
            bail!("connection closed (errors: {:?})", self.errors.lock().unwrap());
        }
        self.writer.lock().await.send(Message::binary(frame)).await.context("websocket send")
    }
}

/// One browser connection through the websocket listener.
pub struct Browser {
    shared: Arc<Shared>,
    nonce: String,
    next_sid: AtomicU64,
    next_inbox: AtomicU64,
    reader: tokio::task::JoinHandle<()>,
}

/// A subscription: the messages the server delivers to it.
pub struct Subscription {
    /// The server's id for it (for `UNSUB`).
    pub sid: u64,
    rx: mpsc::UnboundedReceiver<Msg>,
}

impl Subscription {
    /// The next message, or `None` if none arrives within `within`.
    pub async fn next(&mut self, within: Duration) -> Option<Msg> {
        tokio::time::timeout(within, self.rx.recv()).await.ok().flatten()
    }

    /// Every message that arrives within `within`.
    pub async fn collect(&mut self, within: Duration) -> Vec<Msg> {
        let deadline = tokio::time::Instant::now() + within;
        let mut out = Vec::new();
        while let Ok(Some(m)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            out.push(m);
        }
        out
    }
}

impl Browser {
    /// Connect to `ws://127.0.0.1:<ws_port>` with `Origin: <origin>`, as
    /// `user`/`password` with `nonce` as the connect `auth_token`, and wait
    /// for the server's verdict (a PONG, or the `-ERR` it closed with).
    pub async fn connect(ws_port: u16, origin: &str, user: &str, password: &str, nonce: &str) -> anyhow::Result<Self> {
        let builder = tokio_websockets::ClientBuilder::new()
            .uri(&format!("ws://127.0.0.1:{ws_port}/"))?
            .add_header(http::header::ORIGIN, http::HeaderValue::from_str(origin)?)?;
        let (socket, _) = tokio::time::timeout(CONNECT_TIMEOUT, builder.connect())
            .await
            .context("websocket upgrade timed out")?
            .context("websocket upgrade")?;
        let (writer, reader) = socket.split();
        let shared = Arc::new(Shared {
            writer: tokio::sync::Mutex::new(writer),
            subs: Mutex::default(),
            errors: Mutex::default(),
            state: watch::channel((0, true)).0,
        });
        let reader = tokio::spawn(read_loop(reader, shared.clone()));
        let browser = Browser {
            shared,
            nonce: nonce.to_string(),
            next_sid: AtomicU64::new(1),
            next_inbox: AtomicU64::new(1),
            reader,
        };
        let connect = serde_json::json!({
            "verbose": false, "pedantic": false, "user": user, "pass": password, "auth_token": nonce,
            "lang": "chorus-testkit", "version": "0", "protocol": 1, "headers": true, "no_responders": true,
            "echo": true,
        });
        browser.send(format!("CONNECT {connect}\r\n").into_bytes()).await?;
        browser.flush().await.map_err(|e| match browser.errors().last() {
            Some(err) => anyhow::anyhow!("refused: {err}"),
            None => e,
        })?;
        Ok(browser)
    }

    /// The inbox prefix this connection may read, `_INBOX_<nonce>`.
    pub fn inbox_prefix(&self) -> String {
        format!("_INBOX_{}", self.nonce)
    }

    /// Every `-ERR` the server sent so far (quotes removed), oldest first.
    pub fn errors(&self) -> Vec<String> {
        self.shared.errors.lock().unwrap().clone()
    }

    /// Whether the server still holds the connection open.
    pub fn is_open(&self) -> bool {
        self.shared.state.borrow().1
    }

    /// `PUB`/`HPUB` on `subject` with any reply subject and headers.
    pub async fn publish(
        &self,
        subject: &str,
        reply: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<()> {
        let reply = reply.map(|r| format!(" {r}")).unwrap_or_default();
        let mut frame = if headers.is_empty() {
            format!("PUB {subject}{reply} {}\r\n", body.len()).into_bytes()
        } else {
            let mut h = String::from("NATS/1.0\r\n");
            for (k, v) in headers {
                h.push_str(&format!("{k}: {v}\r\n"));
            }
            h.push_str("\r\n");
            let mut f = format!("HPUB {subject}{reply} {} {}\r\n", h.len(), h.len() + body.len()).into_bytes();
            f.extend_from_slice(h.as_bytes());
            f
        };
        frame.extend_from_slice(body);
        frame.extend_from_slice(b"\r\n");
        self.send(frame).await
    }

    /// `SUB subject`; the server's verdict on it (an `-ERR`) shows in [`Browser::errors`] after a flush.
    pub async fn subscribe(&self, subject: &str) -> anyhow::Result<Subscription> {
        let sid = self.next_sid.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.subs.lock().unwrap().insert(sid, tx);
        self.send(format!("SUB {subject} {sid}\r\n").into_bytes()).await?;
        Ok(Subscription { sid, rx })
    }

    /// `UNSUB`.
    pub async fn unsubscribe(&self, sub: Subscription) -> anyhow::Result<()> {
        self.shared.subs.lock().unwrap().remove(&sub.sid);
        self.send(format!("UNSUB {}\r\n", sub.sid).into_bytes()).await
    }

    /// A request as the page makes it: subscribe `_INBOX_<nonce>.<n>`, publish
    /// with that reply, wait for the first answer (a 503 status message when
    /// nothing serves `subject`).
    pub async fn request(
        &self,
        subject: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> anyhow::Result<Msg> {
        let inbox = format!("{}.{}", self.inbox_prefix(), self.next_inbox.fetch_add(1, Ordering::SeqCst));
        let mut sub = self.subscribe(&inbox).await?;
        self.publish(subject, Some(&inbox), headers, body).await?;
        let reply = sub.next(timeout).await;
        self.unsubscribe(sub).await?;
        reply.with_context(|| format!("no reply to {subject} within {timeout:?} (errors: {:?})", self.errors()))
    }

    /// A PING/PONG round trip: everything sent before was processed by the server.
    pub async fn flush(&self) -> anyhow::Result<()> {
        let mut state = self.shared.state.subscribe();
        let seen = state.borrow_and_update().0;
        self.send(b"PING\r\n".to_vec()).await?;
        let answered = tokio::time::timeout(CONNECT_TIMEOUT, state.wait_for(|(n, open)| *n > seen || !open))
            .await
            .with_context(|| format!("no PONG within {CONNECT_TIMEOUT:?}"))?
            .map(|s| s.1);
        match answered {
            Ok(true) => Ok(()),
            _ => bail!("connection closed (errors: {:?})", self.errors()),
        }
    }

    async fn send(&self, frame: Vec<u8>) -> anyhow::Result<()> {
        self.shared.send(frame).await
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Read frames until the socket ends: deliver messages, answer PINGs, keep `-ERR`s.
async fn read_loop(mut frames: futures::stream::SplitStream<Socket>, shared: Arc<Shared>) {
    // A protocol line or a message may span frames, and a frame may hold many.
    let mut buf: Vec<u8> = Vec::new();
    while let Some(Ok(frame)) = frames.next().await {
        if frame.is_close() {
            break;
        }
        if !(frame.is_binary() || frame.is_text()) {
            continue;
        }
        buf.extend_from_slice(&frame.into_payload());
        while let Some((op, used)) = parse(&buf) {
            buf.drain(..used);
            match op {
                Op::Ping => {
                    let _ = shared.send(b"PONG\r\n".to_vec()).await;
                }
                Op::Pong => shared.state.send_modify(|s| s.0 += 1),
                Op::Err(e) => shared.errors.lock().unwrap().push(e),
                Op::Msg(sid, msg) => {
                    if let Some(tx) = shared.subs.lock().unwrap().get(&sid) {
                        let _ = tx.send(msg);
                    }
                }
                Op::Other => {}
            }
        }
    }
    shared.state.send_modify(|s| s.1 = false);
    shared.subs.lock().unwrap().clear();
}

enum Op {
    Ping,
    Pong,
    Err(String),
    Msg(u64, Msg),
    /// INFO, +OK.
    Other,
}

/// One operation from the front of `buf` and the bytes it took, or `None` until more arrive.
fn parse(buf: &[u8]) -> Option<(Op, usize)> {
    let end = buf.windows(2).position(|w| w == b"\r\n")?;
    let line = String::from_utf8_lossy(&buf[..end]).into_owned();
    let after = end + 2;
    let (verb, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
    let op = match verb.to_ascii_uppercase().as_str() {
        "PING" => Op::Ping,
        "PONG" => Op::Pong,
        "-ERR" => Op::Err(rest.trim().trim_matches('\'').to_string()),
        "MSG" | "HMSG" => {
            // MSG <subject> <sid> [reply] <size>; HMSG ... [reply] <header size> <size>.
            let args: Vec<&str> = rest.split_whitespace().collect();
            let with_headers = verb.eq_ignore_ascii_case("HMSG");
            let fixed = if with_headers { 4 } else { 3 };
            let total: usize = args.last()?.parse().ok()?;
            let header_len: usize = if with_headers { args[args.len() - 2].parse().ok()? } else { 0 };
            if buf.len() < after + total + 2 {
                return None;
            }
            let body = &buf[after..after + total];
            let (status, headers) = parse_headers(&body[..header_len]);
            let msg = Msg {
                subject: args[0].to_string(),
                reply: (args.len() > fixed).then(|| args[2].to_string()),
                status,
                headers,
                payload: body[header_len..].to_vec(),
            };
            return Some((Op::Msg(args[1].parse().ok()?, msg), after + total + 2));
        }
        _ => Op::Other,
    };
    Some((op, after))
}

/// `NATS/1.0[ <status>[ <description>]]` then `Name: value` lines.
fn parse_headers(block: &[u8]) -> (Option<u16>, Vec<(String, String)>) {
    let text = String::from_utf8_lossy(block);
    let mut lines = text.split("\r\n");
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok());
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    (status, headers)
}

#[cfg(test)]
mod tests {
    use super::{parse, Op};

    #[test]
    fn parses_messages_split_across_frames() {
        let wire = b"HMSG a.b 7 _INBOX_x.1 22 24\r\nNATS/1.0 503\r\nK: v\r\n\r\nhi\r\nPING\r\n";
        assert!(parse(&wire[..30]).is_none(), "waits for the whole message");
        let Some((Op::Msg(7, m), used)) = parse(wire) else { panic!("a message") };
        assert_eq!((m.subject.as_str(), m.reply.as_deref(), m.status), ("a.b", Some("_INBOX_x.1"), Some(503)));
        assert_eq!((m.header("k"), m.payload.as_slice()), (Some("v"), &b"hi"[..]));
        assert!(matches!(parse(&wire[used..]), Some((Op::Ping, 6))));
        let Some((Op::Err(e), _)) = parse(b"-ERR 'Permissions Violation for Publish to \"x\"'\r\n") else { panic!() };
        assert_eq!(e, "Permissions Violation for Publish to \"x\"");
        let Some((Op::Msg(3, m), _)) = parse(b"MSG s 3 5\r\nhello\r\n") else { panic!() };
        assert_eq!((m.reply, m.payload), (None, b"hello".to_vec()));
    }
}
