//! The stream service through the wire: sessions, chunks, entitlements,
//! plays, and one listener's whole path from sign-up to recently played.

use crate::support;

use std::collections::HashSet;

use chorus_nats::messages::catalog::{TrackList, TrackPage};
use chorus_nats::messages::profile::{CountsRequest, PlayCounts, RecentPlays, RecentRequest};
use chorus_nats::messages::stream::*;
use chorus_nats::{subjects::profile, ChorusClient, ClientError, Status};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn code<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, String) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (e.status(), e.code().unwrap_or_default().to_string()),
    }
}

async fn open(c: &ChorusClient, track: Uuid) -> SessionInfo {
    let req = SessionOpen { track_id: track, source: "test".into(), client: "test".into() };
    c.call(&req).await.unwrap()
}

async fn chunk(c: &ChorusClient, session: Uuid, index: u32) -> Result<Chunk, ClientError> {
    c.call(&ChunkGet { session_id: session, index }).await
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_signs_up_plays_a_track_and_finds_it_in_recently_played() {
    let stack = support::listener::start(2, serde_json::json!({})).await;
    let originals: HashSet<String> = std::fs::read_dir(support::demo_music().join("calm"))
        .unwrap()
        .flatten()
        .map(|e| sha(&std::fs::read(e.path()).unwrap()))
        .collect();
    let (ann, ann_id) = stack.listener("ann").await;
    let page: TrackPage = ann.call(&TrackList::default()).await.unwrap();
    let track = &page.tracks[0];

    let s = open(&ann, track.id).await;
    assert_eq!((s.entitlement.as_str(), s.chunks_allowed), ("full", s.chunk_count));
    assert!(s.chunk_size <= 256 * 1024 && s.chunk_count > 1, "{s:?}");
    assert_eq!(s.mime, "audio/ogg; codecs=opus");
    // Every chunk, last first (seeking), reassembled in order.
    let mut parts = vec![Vec::new(); s.chunk_count as usize];
    for i in (0..s.chunk_count).rev() {
        let c = chunk(&ann, s.session_id, i).await.unwrap();
        assert_eq!(c.index, i);
        parts[i as usize] = c.data.to_vec();
    }
    let bytes = parts.concat();
    assert_eq!(bytes.len() as u64, s.size);
    assert!(originals.contains(&sha(&bytes)), "the bytes played are the file imported");

    // Under 30 s nothing is recorded; past it once, however often it is said.
    let progress = |position_ms, ended| Progress { session_id: s.session_id, position_ms, ended };
    let r: ProgressReply = ann.call(&progress(10_000, false)).await.unwrap();
    assert!(!r.play_recorded);
    for _ in 0..3 {
        let r: ProgressReply = ann.call(&progress(31_000, false)).await.unwrap();
        assert!(r.play_recorded);
    }
    // The reply told the client profile's sequence of the play, so the next
    // profile read, on any instance, waits until it has the play.
    assert!(ann.seen_seq(profile::SERVICE) > 0, "no Chorus-Seq-Of-profile on the progress reply");
    let r: ProgressReply = ann.call(&progress(90_000, true)).await.unwrap();
    assert!(r.play_recorded);
    let recent: RecentPlays = ann.call(&RecentRequest::default()).await.unwrap();
    assert_eq!(recent.tracks.iter().map(|r| r.track_id).collect::<Vec<_>>(), [track.id]);
    let counts: PlayCounts = ann.call(&CountsRequest::default()).await.unwrap();
    assert_eq!(counts.total, 1, "one play per session");

    // A skip after 4 s is not a play.
    let s2 = open(&ann, page.tracks[1].id).await;
    let r: ProgressReply =
        ann.call(&Progress { session_id: s2.session_id, position_ms: 4_000, ended: true }).await.unwrap();
    assert!(!r.play_recorded);
    // Nor does a report past 30 s after it ended make one.
    let r: ProgressReply =
        ann.call(&Progress { session_id: s2.session_id, position_ms: 31_000, ended: false }).await.unwrap();
    assert!(!r.play_recorded, "a session that ended short of a play recorded one later");
    let counts: PlayCounts = ann.call(&CountsRequest::default()).await.unwrap();
    assert_eq!(counts.total, 1);
    // The skip is kept for recommend: who skipped what, after how long.
    let js = async_nats::jetstream::new(stack.server.connect().await.unwrap());
    let sessions = js.get_key_value(chorus_nats::records::stream::SESSIONS).await.unwrap();
    let marker =
        sessions.get(chorus_nats::records::stream::ended_key(s2.session_id)).await.unwrap().expect("a skip marker");
    let skip: chorus_nats::records::stream::Skip = chorus_nats::Encoding::MsgPack.decode(&marker).unwrap();
    assert_eq!((skip.user, skip.track_id, skip.played_ms), (ann_id, page.tracks[1].id, 4_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_track_shorter_than_the_threshold_counts_when_played_to_its_end() {
    // Every demo track is shorter than a 10-minute threshold.
    let stack = support::listener::start(1, serde_json::json!({"play_threshold_ms": 600_000})).await;
    let track = &stack.tracks[0];
    let (ann, _) = stack.listener("ann").await;
    let report = |session_id, position_ms, ended| {
        let ann = ann.clone();
        async move {
            let r: ProgressReply = ann.call(&Progress { session_id, position_ms, ended }).await.unwrap();
            r.play_recorded
        }
    };
    let skipped = open(&ann, track.id).await;
    assert!(!report(skipped.session_id, track.duration_ms / 2, true).await, "left half-way");
    let through = open(&ann, track.id).await;
    assert!(!report(through.session_id, track.duration_ms - 500, false).await, "still playing");
    assert!(report(through.session_id, track.duration_ms - 500, true).await, "ended at the end");
    let counts: PlayCounts = ann.call(&CountsRequest::default()).await.unwrap();
    assert_eq!(counts.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_checked() {
    let stack = support::listener::start(1, serde_json::json!({})).await;
    let track = stack.tracks[0].id;
    let (ann, _) = stack.listener("ann").await;
    let (bob, _) = stack.listener("bob").await;
    let s = open(&ann, track).await;
    assert_eq!(code(chunk(&ann, Uuid::now_v7(), 0).await), (Some(Status::NotFound), "session_not_found".into()));
    assert_eq!(code(chunk(&bob, s.session_id, 0).await), (Some(Status::Forbidden), "not_your_session".into()));
    assert_eq!(
        code(chunk(&ann, s.session_id, s.chunk_count).await),
        (Some(Status::BadRequest), "chunk_out_of_range".into())
    );
    let r = ann.call(&SessionOpen { track_id: Uuid::now_v7(), source: String::new(), client: String::new() }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "track_not_found".into()));
    let anon = ChorusClient::new(stack.server.connect().await.unwrap());
    assert_eq!(code(chunk(&anon, s.session_id, 0).await), (Some(Status::Unauthorized), "missing_token".into()));
    // A new instance serves a session another opened: sessions live in JetStream.
    let (other, _) = stack.listener("cyd").await;
    let s2 = open(&other, track).await;
    chunk(&other.fresh(), s2.session_id, 0).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_free_tier_gets_previews_after_its_daily_full_plays() {
    let stack =
        support::listener::start(1, serde_json::json!({"free_full_plays_per_day": 1, "chunk_size": 16384})).await;
    let track = &stack.tracks[0];
    let (ann, _) = stack.listener("ann").await;
    assert_eq!(open(&ann, track.id).await.entitlement, "full");
    let preview = open(&ann, track.id).await;
    assert_eq!(preview.entitlement, "preview");
    // The chunks that cover 30 s of the file, and no more.
    let expected = (track.file_size * 30_000 / track.duration_ms).div_ceil(preview.chunk_size as u64) as u32;
    assert_eq!(preview.chunks_allowed, expected.clamp(1, preview.chunk_count));
    assert!(preview.chunks_allowed < preview.chunk_count);
    chunk(&ann, preview.session_id, preview.chunks_allowed - 1).await.unwrap();
    let r = chunk(&ann, preview.session_id, preview.chunks_allowed).await;
    assert_eq!(code(r), (Some(Status::Forbidden), "preview_only".into()));
    // Another listener has their own allowance.
    let (bob, _) = stack.listener("bob").await;
    assert_eq!(open(&bob, track.id).await.entitlement, "full");
}
