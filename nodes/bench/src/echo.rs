//! The raw baseline: an async-nats responder with no runtime at all.

use bytes::Bytes;
use futures::StreamExt;

/// Subject of the raw echo baseline (not a Chorus subject: it never leaves the bench's own server).
pub(crate) const ECHO: &str = "bench.echo";

/// Answer every request on [`ECHO`] with `reply_body`.
pub(crate) async fn start(nats: &async_nats::Client, reply_body: Bytes) -> anyhow::Result<()> {
    let responder = nats.clone();
    let mut sub = responder.queue_subscribe(ECHO, "bench".into()).await?;
    tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            if let Some(reply) = msg.reply {
                let _ = responder.publish(reply, reply_body.clone()).await;
            }
        }
    });
    nats.flush().await?;
    Ok(())
}
