//! `art.get`: cover art from the `chorus_art` object store, for clients that
//! cannot read object stores (browsers); hot images stay in memory.

use chorus_host::Fail;
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Art, ArtGet};
use chorus_nats::ServiceError;
use chorus_state::ObjectCache;

/// Largest image served: a reply must fit NATS's default max payload (1 MiB) with its headers.
const MAX_ART: usize = 1_000_000;

pub(crate) async fn get(art: &ObjectCache, req: ArtGet) -> Result<Art, Fail> {
    let mime = mime(&req.name).ok_or_else(|| {
        ServiceError::bad_request(codes::INVALID_ART_NAME, "an art name is <sha256 hex>.<jpg|png|gif|webp|bmp>")
    })?;
    // Any failure to read is "not there": names come from clients.
    let data = art
        .get(&req.name)
        .await
        .map_err(|_| ServiceError::not_found(codes::ART_NOT_FOUND, format!("no cover art {}", req.name)))?;
    if data.len() > MAX_ART {
        return Err(ServiceError::new(
            chorus_nats::Status::TooLarge,
            codes::ART_TOO_LARGE,
            "this image is too large to send",
        )
        .into());
    }
    Ok(Art { name: req.name, mime: mime.into(), data })
}

/// The image type a well-formed name says, or none for any other name.
fn mime(name: &str) -> Option<&'static str> {
    let (hash, ext) = name.split_once('.')?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        // What import names art whose tag gave no type: let the client sniff it.
        "img" => "application/octet-stream",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_well_formed_names() {
        assert_eq!(super::mime(&format!("{}.png", "a".repeat(64))), Some("image/png"));
        for bad in ["../etc/passwd", "x.png", &format!("{}.exe", "a".repeat(64)), &format!("{}.png", "g".repeat(64))] {
            assert_eq!(super::mime(bad), None, "{bad}");
        }
    }
}
