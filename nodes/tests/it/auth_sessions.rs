//! A listener's own sessions through the wire: `session.list`,
//! `session.end`, `session.end_others` (subjects.md, auth: Your sessions).

use crate::support;

use chorus_nats::messages::auth::*;
use chorus_nats::messages::Empty;
use chorus_nats::{ChorusClient, ClientError, Status};
use chorus_testkit::NatsServer;
use support::auth::{client, host, key, login, password, register};
use uuid::Uuid;

fn refused<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, String) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (e.status(), e.code().unwrap_or_default().to_string()),
    }
}

async fn sessions(c: &ChorusClient, s: &Session) -> Vec<SessionSummary> {
    c.clone().with_token(s.access_token.as_str()).call(&SessionList {}).await.unwrap().sessions
}

async fn refresh(c: &ChorusClient, s: &Session) -> Result<Session, ClientError> {
    c.call(&RefreshToken { refresh_token: s.refresh_token.clone() }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_sees_and_ends_their_sessions() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    register(&c, "maya").await.unwrap();
    register(&c, "otto").await.unwrap();
    let laptop = login(&c, "maya", &password("maya")).await.unwrap();
    let phone = login(&c, "maya", &password("maya")).await.unwrap();
    let tablet = login(&c, "maya", &password("maya")).await.unwrap();
    let otto = login(&c, "otto", &password("otto")).await.unwrap();

    // Three sessions, this one marked, most recently used first; never another listener's.
    let listed = sessions(&c, &laptop).await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    let current: Vec<bool> = listed.iter().map(|s| s.current).collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    assert!(listed.iter().all(|s| s.started_at > 0 && s.last_used_at >= s.started_at));
    assert!(listed.windows(2).all(|w| w[0].last_used_at >= w[1].last_used_at));
    let ids = |v: &[SessionSummary]| v.iter().map(|s| s.id).collect::<std::collections::BTreeSet<Uuid>>();
    assert_eq!(sessions(&c, &otto).await.len(), 1);
    assert!(ids(&sessions(&c, &otto).await).is_disjoint(&ids(&listed)));

    // A refresh is a use: the phone moves to the top, under the same id.
    let phone_id = sessions(&c, &phone).await.into_iter().find(|s| s.current).unwrap().id;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let phone = refresh(&c, &phone).await.unwrap();
    let listed = sessions(&c, &laptop).await;
    assert_eq!((listed[0].id, listed.len()), (phone_id, 3));

    // End the phone's session from the laptop: it cannot refresh, and leaves the list.
    let from_laptop = c.clone().with_token(laptop.access_token.as_str());
    let _: Empty = from_laptop.call(&SessionEnd { id: phone_id }).await.unwrap();
    assert_eq!(refused(refresh(&c, &phone).await), (Some(Status::Unauthorized), "session_ended".into()));
    assert_eq!(sessions(&c, &laptop).await.len(), 2);
    // Ended, unknown, or another listener's: 404 alike.
    let otto_id = sessions(&c, &otto).await[0].id;
    for id in [phone_id, Uuid::now_v7(), otto_id] {
        assert_eq!(
            refused(from_laptop.call(&SessionEnd { id }).await),
            (Some(Status::NotFound), "session_not_found".into())
        );
    }
    assert!(refresh(&c, &otto).await.is_ok(), "otto's session is untouched");

    // Sign out everywhere else: the tablet ends, the laptop carries on (and refreshes).
    let ended: SessionsEnded = from_laptop.call(&SessionEndOthers {}).await.unwrap();
    assert_eq!(ended.ended, 1);
    assert_eq!(refused(refresh(&c, &tablet).await), (Some(Status::Unauthorized), "session_ended".into()));
    let laptop = refresh(&c, &laptop).await.unwrap();
    let left = sessions(&c, &laptop).await;
    assert_eq!((left.len(), left[0].current), (1, true));
    // Nothing else to end; and a session that ended cannot end the others (it would revive itself).
    let again: SessionsEnded =
        c.clone().with_token(laptop.access_token.as_str()).call(&SessionEndOthers {}).await.unwrap();
    assert_eq!(again.ended, 0);
    let laptop = refresh(&c, &laptop).await.unwrap();
    let stale = c.clone().with_token(tablet.access_token.as_str());
    assert_eq!(refused(stale.call(&SessionEndOthers {}).await), (Some(Status::Unauthorized), "session_ended".into()));
    assert!(refresh(&c, &laptop).await.is_ok(), "the live session survived the stale one's attempt");

    // A session may end itself; a password change ends the others (they leave the list).
    let desk = login(&c, "maya", &password("maya")).await.unwrap();
    let desk_id = sessions(&c, &desk).await.into_iter().find(|s| s.current).unwrap().id;
    let change = ChangePassword { current_password: password("maya"), new_password: "maya sings along now".into() };
    let _: Empty = c.clone().with_token(desk.access_token.as_str()).call(&change).await.unwrap();
    let after = sessions(&c, &desk).await;
    assert_eq!(after.iter().map(|s| s.id).collect::<Vec<_>>(), [desk_id]);
    let _: Empty = c.clone().with_token(desk.access_token.as_str()).call(&SessionEnd { id: desk_id }).await.unwrap();
    assert_eq!(refused(refresh(&c, &desk).await), (Some(Status::Unauthorized), "session_ended".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_need_a_token_and_a_well_formed_body() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    assert_eq!(refused(c.call(&SessionList {}).await).0, Some(Status::Unauthorized));
    assert_eq!(refused(c.call(&SessionEndOthers {}).await).0, Some(Status::Unauthorized));
    assert_eq!(refused(c.call(&SessionEnd { id: Uuid::now_v7() }).await).0, Some(Status::Unauthorized));
    register(&c, "ines").await.unwrap();
    let s = login(&c, "ines", &password("ines")).await.unwrap();
    let nats = server.connect().await.unwrap();
    let bearer = format!("Bearer {}", s.access_token);
    let auth = [("Authorization", bearer.as_str())];
    for (subject, body) in [
        (chorus_nats::subjects::auth::session_end().subject(), r#"{"id": "not a uuid"}"#),
        (chorus_nats::subjects::auth::session_end().subject(), r#"{}"#),
        (chorus_nats::subjects::auth::session_list().subject(), r#"{"all": true}"#),
        (chorus_nats::subjects::auth::session_end_others().subject(), r#"{"keep": []}"#),
    ] {
        let m = support::raw(&nats, &subject, &auth, body.as_bytes()).await;
        let (status, err) = support::error_of(&m);
        assert_eq!((status, err["code"].as_str()), (400, Some("invalid_request")), "{subject} {body}");
    }
}
