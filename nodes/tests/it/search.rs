//! Search through the wire: a hand-made catalog with the tricky names in the
//! catalog's record, a search instance on a real nats-server, and each
//! behaviour of `catalog.query` and `catalog.suggest`.

use crate::support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chorus_catalog::records::Kind;
use chorus_nats::messages::search::*;
use chorus_nats::{subjects::search, ChorusClient, Status};
use chorus_testkit::NatsServer;
use support::search::{find, query, search_host, track, Fixture};
use support::{error_of, raw};
use uuid::Uuid;

async fn stack() -> (NatsServer, chorus_host::host::RunningHost, Fixture, ChorusClient) {
    let server = NatsServer::start().expect("nats-server");
    let fixture = Fixture::write(&server).await;
    let host = search_host(&server).await;
    let c = ChorusClient::new(server.connect().await.unwrap());
    (server, host, fixture, c)
}

fn titles(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.title.as_str()).collect()
}

fn first_artist(r: &SearchReply) -> &str {
    r.artists.first().map(|a| a.title.as_str()).unwrap_or("<none>")
}

#[tokio::test]
async fn prefixes_find_as_you_type() {
    let (_s, _h, _f, c) = stack().await;
    for (q, artist) in
        [("beyon", "Beyoncé"), ("sigur r", "Sigur Rós"), ("moto", "Motörhead"), ("guns n r", "Guns N' Roses")]
    {
        let r = query(&c, q).await;
        assert_eq!(first_artist(&r), artist, "{q}");
    }
    let r = query(&c, "nightsw").await;
    assert_eq!(titles(&r.tracks), ["Nightswimming"]);
    assert_eq!(r.tracks[0].highlight["title"], "<em>Nightsw</em>imming");
    // A space after the last word: it is whole, not a prefix.
    assert!(query(&c, "nightsw ").await.tracks.is_empty());
}

#[tokio::test]
async fn typos_follow_the_word_length() {
    let (_s, _h, _f, c) = stack().await;
    // One typo in words of 5 or more letters: substitution, transposition, deletion.
    for (q, title) in [
        ("formatiom", "Formation"),
        ("jailbiat", "Jailbait"),
        ("barracda", "Barracuda"),
        ("svefn englra", "Svefn-g-englar"),
    ] {
        let r = query(&c, q).await;
        assert_eq!(r.tracks.first().map(|t| t.title.as_str()), Some(title), "{q}: {:?}", titles(&r.tracks));
    }
    // Two typos in words of 9 or more letters; not in shorter ones.
    assert_eq!(titles(&query(&c, "nigthswiming ").await.tracks), ["Nightswimming"]);
    assert!(query(&c, "jialbiat ").await.tracks.is_empty());
    // A letter left out of a 5-letter word is one typo of that word.
    assert!(titles(&query(&c, "hels bells ").await.tracks).contains(&"Hells Bells"));
    // A typo other than a swap in a 4-letter word only counts beside a word
    // matched as typed: "hild" alone is not "Hold", "hild up" is "Hold Up".
    assert!(!titles(&query(&c, "hild ").await.tracks).contains(&"Hold Up"));
    assert_eq!(titles(&query(&c, "hild up ").await.tracks).first(), Some(&"Hold Up"));
    assert!(query(&c, "zima ").await.albums.iter().any(|a| a.title == "Zima"));
    assert!(query(&c, "zama ").await.albums.is_empty());
}

#[tokio::test]
async fn names_are_found_the_way_people_type_them() {
    let (_s, _h, _f, c) = stack().await;
    // "and" for "&" (and "n" for "N'"), and the other way round; exactness first.
    for (q, artist) in [
        ("simon and garfunkel", "Simon & Garfunkel"),
        ("simon & garfunkel", "Simon & Garfunkel"),
        ("simon garfunkel", "Simon & Garfunkel"),
        ("guns and roses", "Guns N' Roses"),
        ("guns n roses", "Guns N' Roses"),
        ("guns & roses", "Guns N' Roses"),
    ] {
        assert_eq!(first_artist(&query(&c, q).await), artist, "{q}");
    }
    assert_eq!(titles(&query(&c, "ella & louis").await.albums).first(), Some(&"Ella and Louis"));
    // Letters written with symbols, typed as letters or as they are.
    for (q, artist) in [("kesha", "Ke$ha"), ("ke$ha", "Ke$ha"), ("pink", "P!nk"), ("p!nk", "P!nk")] {
        assert_eq!(first_artist(&query(&c, q).await), artist, "{q}");
    }
    // A name made of symbols only is found by typing it; other symbols are not a name.
    assert_eq!(first_artist(&query(&c, "!!!").await), "!!!");
    assert_eq!(titles(&query(&c, "!!! myth takes").await.albums), ["Myth Takes"]);
    assert!(query(&c, "?!*&").await.artists.is_empty());
    // Two letters swapped are one typo, in short words too.
    assert_eq!(first_artist(&query(&c, "daft pnuk").await), "Daft Punk");
    assert_eq!(titles(&query(&c, "tik tko").await.tracks).first(), Some(&"Tik Tok"));
    // A typo in a short word when another word is matched as typed.
    assert_eq!(first_artist(&query(&c, "ela fitzgerald").await), "Ella Fitzgerald");
    assert_eq!(first_artist(&query(&c, "elle henderson").await), "Ella Henderson");
    // A short word the catalog has, typed for another (found on a second try).
    assert_eq!(first_artist(&query(&c, "bon dylan").await), "Bob Dylan");
    assert_eq!(first_artist(&query(&c, "bob iver").await), "Bon Iver");
    assert_eq!(first_artist(&query(&c, "bon iver").await), "Bon Iver");
    // Exactness first: the name typed exactly ranks it first.
    assert_eq!(first_artist(&query(&c, "ella henderson").await), "Ella Henderson");
    assert_eq!(first_artist(&query(&c, "heart").await), "Heart");
}

#[tokio::test]
async fn diacritics_and_case_fold() {
    let (_s, _h, _f, c) = stack().await;
    for (q, artist) in [
        ("motorhead", "Motörhead"),
        ("MOTÖRHEAD", "Motörhead"),
        ("sigur ros", "Sigur Rós"),
        ("beyonce", "Beyoncé"),
        ("soren juul", "Søren Juul"),
        ("lukasz", "Łukasz Nowak"),
    ] {
        assert_eq!(first_artist(&query(&c, q).await), artist, "{q}");
    }
    let r = query(&c, "motorhead").await;
    assert_eq!(r.artists[0].highlight["title"], "<em>Motörhead</em>");
    assert!(titles(&query(&c, "agaetis").await.albums).contains(&"Ágætis byrjun"));
    assert!(titles(&query(&c, "snieg").await.tracks).contains(&"Śnieg"));
}

#[tokio::test]
async fn punctuation_is_ignored_both_ways() {
    let (_s, _h, _f, c) = stack().await;
    for q in ["rem", "r.e.m.", "R.E.M", "r e m"] {
        assert_eq!(first_artist(&query(&c, q).await), "R.E.M.", "{q}");
    }
    for q in ["acdc", "ac dc", "ac/dc", "AC-DC"] {
        assert_eq!(first_artist(&query(&c, q).await), "AC/DC", "{q}");
    }
    assert_eq!(first_artist(&query(&c, "guns n roses").await), "Guns N' Roses");
    assert_eq!(first_artist(&query(&c, "p!nk").await), "P!nk");
    assert_eq!(query(&c, "rem").await.artists[0].highlight["title"], "<em>R.E.M</em>.");
}

#[tokio::test]
async fn titles_outweigh_artists_and_exact_outranks_typos() {
    let (_s, _h, _f, c) = stack().await;
    // "Heart" is a title (The Stranglers), an album word, and a band.
    let r = query(&c, "heart ").await;
    assert_eq!(r.tracks.first().map(|t| t.title.as_str()), Some("Heart"), "{:?}", titles(&r.tracks));
    let barracuda = r.tracks.iter().position(|t| t.title == "Barracuda").expect("the band's track is found");
    assert!(barracuda > 0);
    // "formation": the exact title first, "Information" (two typos) after it.
    let r = query(&c, "formation ").await;
    assert_eq!(titles(&r.tracks), ["Formation", "Information"]);
    assert!(r.tracks[0].score > r.tracks[1].score);
    // A query that is exactly a title ranks it above titles that contain it.
    let r = query(&c, "home again ").await;
    assert_eq!(r.tracks.first().map(|t| t.title.as_str()), Some("Home Again"));
    let r = query(&c, "home ").await;
    assert_eq!(r.tracks.last().map(|t| t.title.as_str()), Some("Home Again"), "{:?}", titles(&r.tracks));
}

#[tokio::test]
async fn filters_and_facets() {
    let (_s, _h, f, c) = stack().await;
    let home = |filters: SearchFilters| SearchQuery { q: "home".into(), filters, ..Default::default() };
    let all = find(&c, &home(SearchFilters::default())).await.unwrap();
    assert_eq!(all.tracks.len(), 6, "{:?}", titles(&all.tracks));
    let facet = |fs: &[FacetCount]| fs.iter().map(|f| (f.value.clone(), f.count)).collect::<Vec<_>>();
    assert_eq!(
        facet(&all.facets.genre),
        [
            ("Pop".into(), 2),
            ("Alternative".into(), 1),
            ("Metal".into(), 1),
            ("Post-Rock".into(), 1),
            ("Rock".into(), 1)
        ]
    );
    assert_eq!(
        facet(&all.facets.decade),
        [("1980s".into(), 2), ("1990s".into(), 2), ("2000s".into(), 1), ("2010s".into(), 1)]
    );

    let pop = find(&c, &home(SearchFilters { genre: Some("POP".into()), ..Default::default() })).await.unwrap();
    assert_eq!(pop.tracks.len(), 2);
    assert!(pop.tracks.iter().all(|t| t.genres == ["Pop"]));
    assert_eq!(facet(&pop.facets.genre), [("Pop".into(), 2)]);

    let nineties = SearchFilters { year_from: Some(1990), year_to: Some(2005), ..Default::default() };
    let r = find(&c, &home(nineties)).await.unwrap();
    let years: BTreeSet<i32> = r.tracks.iter().filter_map(|t| t.year).collect();
    assert_eq!(years, BTreeSet::from([1992, 1999, 2001]));
    // The bounds in either order name the same range (as in the catalog's lists),
    // both inclusive; one bound alone is open on the other side.
    let reversed = SearchFilters { year_from: Some(2005), year_to: Some(1990), ..Default::default() };
    let back = find(&c, &home(reversed)).await.unwrap();
    assert_eq!(back.tracks, r.tracks);
    assert_eq!(back.facets, r.facets);
    let exact = SearchFilters { year_from: Some(1992), year_to: Some(1992), ..Default::default() };
    let years = |r: &SearchReply| r.tracks.iter().filter_map(|t| t.year).collect::<BTreeSet<i32>>();
    assert_eq!(years(&find(&c, &home(exact)).await.unwrap()), BTreeSet::from([1992]));
    let since = SearchFilters { year_from: Some(2001), ..Default::default() };
    assert_eq!(years(&find(&c, &home(since)).await.unwrap()), BTreeSet::from([2001, 2016]));
    let until = SearchFilters { year_to: Some(1992), ..Default::default() };
    assert_eq!(years(&find(&c, &home(until)).await.unwrap()), BTreeSet::from([1980, 1992]));

    let acdc = f.artists["AC/DC"].id;
    let r = find(&c, &home(SearchFilters { artist: Some(acdc), ..Default::default() })).await.unwrap();
    assert_eq!(r.tracks.iter().map(|t| t.id).collect::<Vec<_>>(), [f.track("AC/DC", "Home").id]);
}

#[tokio::test]
async fn cursor_pages_are_disjoint_and_complete() {
    let (_s, _h, _f, c) = stack().await;
    let everything: BTreeSet<Uuid> = query(&c, "home").await.tracks.iter().map(|t| t.id).collect();
    let (mut seen, mut cursor, mut pages) = (BTreeSet::new(), None, 0);
    loop {
        let req = SearchQuery {
            q: "home".into(),
            limit: Some(2),
            cursor,
            kinds: Some(vec![SearchKind::Tracks]),
            ..Default::default()
        };
        let page = find(&c, &req).await.unwrap();
        assert!(page.tracks.len() <= 2);
        for t in &page.tracks {
            assert!(seen.insert(t.id), "{} on two pages", t.title);
        }
        pages += 1;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen, everything);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn suggest_completes_names_first() {
    let (_s, _h, _f, c) = stack().await;
    let r: SuggestReply = c.call(&Suggest { q: "beyo".into(), limit: None }).await.unwrap();
    let first = r.suggestions.first().expect("a suggestion");
    assert_eq!(
        (first.text.as_str(), first.kind, first.highlight.as_str()),
        ("Beyoncé", SearchKind::Artists, "<em>Beyo</em>ncé")
    );
    let r: SuggestReply = c.call(&Suggest { q: "ho".into(), limit: Some(3) }).await.unwrap();
    let texts: Vec<&str> = r.suggestions.iter().map(|s| s.text.as_str()).collect();
    // "Home" is a title on five albums: offered once.
    assert_eq!(texts.iter().filter(|t| **t == "Home").count(), 1, "{texts:?}");
    assert!(texts.len() <= 3);
}

#[tokio::test]
async fn bad_queries_get_a_clear_answer() {
    let (_s, _h, _f, c) = stack().await;
    for q in ["", "   ", "?!*&", "()"] {
        let r = query(&c, q).await;
        assert!(r.tracks.is_empty() && r.albums.is_empty() && r.artists.is_empty() && r.next_cursor.is_none(), "{q:?}");
    }
    let long = "x".repeat(10 * 1024);
    let e = find(&c, &SearchQuery { q: long.clone(), ..Default::default() }).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::TooLarge), Some("query_too_long")));
    let e = c.call(&Suggest { q: long, limit: None }).await.unwrap_err();
    assert_eq!(e.code(), Some("query_too_long"));
    let e = find(&c, &SearchQuery { q: "home".into(), limit: Some(0), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_limit"));
    let e =
        find(&c, &SearchQuery { q: "home".into(), cursor: Some("x".into()), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_cursor"));
    // year_from after year_to is not an error: the same range (see filters_and_facets).
    let years = SearchFilters { year_from: Some(2000), year_to: Some(1990), ..Default::default() };
    let r = find(&c, &SearchQuery { q: "home".into(), filters: years, ..Default::default() }).await.unwrap();
    assert!(r.tracks.iter().all(|t| t.year.is_some_and(|y| (1990..=2000).contains(&y))) && !r.tracks.is_empty());
    // A kind that does not exist is a body that does not decode.
    let m = raw(c.nats(), &search::catalog_query().subject(), &[], br#"{"q": "home", "kinds": ["songs"]}"#).await;
    let (status, err) = error_of(&m);
    assert_eq!((status, err["code"].as_str()), (400, Some("invalid_request")));
    // Unknown filter fields (and unknown fields at all) are refused.
    let subject = search::catalog_query().subject();
    for body in
        [r#"{"q": "home", "filters": {"decade": 1990}}"#, r#"{"q": "home", "sort": "year"}"#, "{", r#"{"q": 5}"#]
    {
        let m = raw(c.nats(), &subject, &[], body.as_bytes()).await;
        let (status, err) = error_of(&m);
        assert_eq!((status, err["code"].as_str()), (400, Some("invalid_request")), "{body}");
    }
    // Many words, odd scripts: answered, not stuck.
    let words = ["home"; 50].join(" ");
    assert!(!query(&c, &words).await.tracks.is_empty());
    query(&c, "Кино 坂本龍一 🎵 \u{0}").await;
    // And the service still answers.
    assert_eq!(first_artist(&query(&c, "motorhead").await), "Motörhead");
}

/// Poll (bounded) until `q` finds a track titled `title`; how long it took.
async fn until_found(c: &ChorusClient, q: &str, title: &str) -> Duration {
    let start = Instant::now();
    loop {
        if query(c, q).await.tracks.iter().any(|t| t.title == title) {
            return start.elapsed();
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{title} not searchable after 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn changes_are_searchable_and_new_instances_catch_up() {
    let (server, host, f, c) = stack().await;
    let (ar, al) = (&f.artists["Motörhead"], &f.albums["Ace of Spades"]);
    let t = track("Overkill", ar, al);
    f.put(Kind::Track, t.id, &t).await;
    let took = until_found(&c, "overkil", "Overkill").await;
    assert!(took < Duration::from_secs(1), "a change took {took:?} to be searchable");

    // Read-your-writes: with the write's sequence as Chorus-Min-Seq, the
    // very first query waits for the index to have it (no polling).
    let t3 = track("Ace of Spades (Live)", ar, al);
    let seq = f.put(Kind::Track, t3.id, &t3).await;
    c.observe_seq(search::SERVICE, seq);
    assert!(query(&c, "ace of spades live").await.tracks.iter().any(|t| t.id == t3.id));

    // An update replaces the entry; a delete removes it.
    let renamed = chorus_nats::messages::catalog::Track { title: "Bomber".into(), ..t.clone() };
    f.records
        .store()
        .put(Kind::Track.key(t.id), chorus_nats::Encoding::MsgPack.encode(&renamed).unwrap())
        .await
        .unwrap();
    until_found(&c, "bomber", "Bomber").await;
    assert!(query(&c, "overkill").await.tracks.is_empty());

    // With no instance running, the catalog changes; a new instance answers
    // only once it has caught up, so its first answer already has the change.
    host.drain().await.unwrap();
    let t2 = track("Iron Fist", ar, al);
    f.put(Kind::Track, t2.id, &t2).await;
    f.records.store().delete(Kind::Track.key(t.id)).await.unwrap();
    let _again = search_host(&server).await;
    assert_eq!(titles(&query(&c, "iron fist").await.tracks), ["Iron Fist"]);
    assert!(query(&c, "bomber").await.tracks.is_empty());
}

#[tokio::test]
async fn an_on_disk_index_answers_the_same_says_so_and_resumes() {
    let server = NatsServer::start().expect("nats-server");
    let f = Fixture::write(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = chorus_testkit::host_config(&server.url(), &["search"]);
    let path = dir.path().join("search").display().to_string();
    config.sections.insert("search".into(), serde_json::json!({ "index": path }));
    let host = chorus_host::host::RunningHost::start(config.clone(), &chorus_nodes::registry()).await.unwrap();
    let c = ChorusClient::new(server.connect().await.unwrap());
    assert_eq!(first_artist(&query(&c, "motorhead").await), "Motörhead");
    assert!(std::fs::read_dir(dir.path().join("search")).unwrap().count() > 0, "nothing written to disk");
    let meta = search_metadata(&c).await;
    assert_eq!(meta["index"], "disk");
    // Every artist, album and track of the fixture.
    let records = (f.artists.len() + f.albums.len() + f.tracks.len()).to_string();
    assert_eq!(meta["documents"], records.as_str(), "{meta}");
    assert_eq!(meta["index_replayed"], records.as_str(), "{meta}");

    // Stopped, the catalog gains a track and loses one; the next start
    // resumes the index and applies only those two changes.
    host.drain().await.unwrap();
    let (ar, al) = (&f.artists["Motörhead"], &f.albums["Ace of Spades"]);
    let added = track("Iron Fist", ar, al);
    f.put(Kind::Track, added.id, &added).await;
    let gone = f.track("Motörhead", "Ace of Spades").id;
    f.records.store().delete(Kind::Track.key(gone)).await.unwrap();
    let _again = chorus_host::host::RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let meta = search_metadata(&c).await;
    assert_eq!(
        (meta["index_replayed"].as_str(), meta["documents"].as_str()),
        (Some("2"), Some(records.as_str())),
        "{meta}"
    );
    assert_eq!(titles(&query(&c, "iron fist").await.tracks), ["Iron Fist"]);
    assert!(!query(&c, "ace of spades").await.tracks.iter().any(|t| t.id == gone));
}

async fn search_metadata(c: &ChorusClient) -> serde_json::Value {
    let info = c.nats().request("$SRV.INFO.search", "".into()).await.unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.payload).unwrap();
    info["metadata"].clone()
}
