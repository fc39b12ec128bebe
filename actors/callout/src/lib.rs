//! nats-server's auth callout on the wire: NATS JWTs (`nats_jwt`), the
//! authorization request read and checked (`request`), and the xkey sealing
//! a server may wrap it in (`xkey`, on `poly1305`). The auth service answers
//! the callout with these; they need no service, so the fuzz targets build
//! them alone.
#![warn(missing_docs, unreachable_pub)]

pub mod nats_jwt;
mod poly1305;
pub mod request;
pub mod testing;
pub mod xkey;
