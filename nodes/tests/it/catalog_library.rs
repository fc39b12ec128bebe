//! The library's pages through the wire: `album.browse` and `artist.browse`
//! (subjects.md, catalog: Browsing the library), paged by cursor.

use crate::support;

use std::collections::HashSet;

use chorus_nats::messages::catalog::*;
use chorus_nats::{subjects::catalog, ChorusClient, Status};
use chorus_testkit::NatsServer;
use support::catalog::{album, artist, create, write};
use support::{catalog_host, error_of, raw};
use uuid::Uuid;

fn browse(sort: AlbumSort) -> AlbumBrowse {
    AlbumBrowse { sort, cursor: None, limit: None, genre: None, decade: None }
}

/// Every album `req` lists, page by page (`limit` a page), and how many pages it took.
async fn walk_albums(c: &ChorusClient, req: AlbumBrowse) -> (Vec<Album>, usize) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let page: AlbumBrowsePage = c.call(&AlbumBrowse { cursor, ..req.clone() }).await.unwrap();
        pages += 1;
        assert!(page.albums.len() <= req.limit.unwrap_or(50) as usize);
        all.extend(page.albums);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return (all, pages),
        }
        assert!(pages < 10_000, "a runaway walk");
    }
}

/// Every album `order` lists through `album.list` (offset paging, the view's ORDER BY).
async fn listed(c: &ChorusClient, order: AlbumOrder, years: Option<(i32, i32)>) -> Vec<Uuid> {
    let mut out = Vec::new();
    loop {
        let req = AlbumList {
            order,
            offset: out.len() as u32,
            limit: Some(500),
            year_from: years.map(|y| y.0),
            year_to: years.map(|y| y.1),
            genre: None,
        };
        let page: AlbumPage = c.call(&req).await.unwrap();
        let n = page.albums.len();
        out.extend(page.albums.into_iter().map(|a| a.id));
        if n < 500 {
            return out;
        }
    }
}

fn ids(albums: &[Album]) -> Vec<Uuid> {
    albums.iter().map(|a| a.id).collect()
}

#[tokio::test]
async fn album_pages_walk_every_sort_of_a_seeded_catalog() {
    let server = NatsServer::start().unwrap();
    let tracks = support::seed(&server, 3000).await;
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let albums: HashSet<Uuid> = tracks.iter().filter_map(|t| t.album.as_ref().map(|a| a.id)).collect();
    assert!(albums.len() > 150, "{} albums", albums.len());

    // Each sort, 37 a page: every album once, in the order the view sorts by.
    let page = |sort| AlbumBrowse { limit: Some(37), ..browse(sort) };
    let (by_name, pages) = walk_albums(&c, page(AlbumSort::Name)).await;
    assert!(pages > 4);
    assert_eq!(by_name.len(), albums.len());
    assert_eq!(ids(&by_name).into_iter().collect::<HashSet<_>>(), albums);
    assert_eq!(ids(&by_name), listed(&c, AlbumOrder::AlphabeticalByName, None).await);
    let (added, _) = walk_albums(&c, page(AlbumSort::Added)).await;
    assert_eq!(ids(&added), listed(&c, AlbumOrder::Newest, None).await);
    assert!(added.windows(2).all(|w| w[0].added_at >= w[1].added_at));
    // The synthetic albums all have years: the year sorts are album.list's by_year both ways.
    assert!(by_name.iter().all(|a| a.year.is_some()));
    let (up, _) = walk_albums(&c, page(AlbumSort::Year)).await;
    assert_eq!(ids(&up), listed(&c, AlbumOrder::ByYear, Some((0, 3000))).await);
    let (down, _) = walk_albums(&c, page(AlbumSort::YearDesc)).await;
    assert_eq!(ids(&down), listed(&c, AlbumOrder::ByYear, Some((3000, 0))).await);

    // A decade and a genre narrow every sort, and page the same way.
    let decade = by_name[0].year.unwrap() / 10 * 10;
    let genre = by_name[0].genres[0].clone();
    let in_decade: Vec<Uuid> =
        up.iter().filter(|a| a.year.is_some_and(|y| (decade..decade + 10).contains(&y))).map(|a| a.id).collect();
    assert!(!in_decade.is_empty() && in_decade.len() < albums.len());
    for sort in [AlbumSort::Year, AlbumSort::YearDesc, AlbumSort::Name, AlbumSort::Added] {
        let (got, _) = walk_albums(&c, AlbumBrowse { limit: Some(5), decade: Some(decade), ..browse(sort) }).await;
        assert_eq!(
            got.iter().map(|a| a.id).collect::<HashSet<_>>(),
            in_decade.iter().copied().collect::<HashSet<_>>(),
            "{sort:?}"
        );
    }
    let (got, _) = walk_albums(&c, AlbumBrowse { decade: Some(decade), ..page(AlbumSort::YearDesc) }).await;
    let expected: Vec<Uuid> = down.iter().filter(|a| in_decade.contains(&a.id)).map(|a| a.id).collect();
    assert_eq!(ids(&got), expected);
    let of_genre: Vec<Uuid> =
        by_name.iter().filter(|a| a.genres.iter().any(|g| g.eq_ignore_ascii_case(&genre))).map(|a| a.id).collect();
    let shouted = AlbumBrowse { genre: Some(format!(" {} ", genre.to_uppercase())), ..page(AlbumSort::Name) };
    assert_eq!(ids(&walk_albums(&c, shouted).await.0), of_genre);

    // Random: a sample of the filtered albums, never a next page.
    let sample: AlbumBrowsePage =
        c.call(&AlbumBrowse { limit: Some(20), decade: Some(decade), ..browse(AlbumSort::Random) }).await.unwrap();
    assert_eq!(sample.next, None);
    assert_eq!(sample.albums.len(), in_decade.len().min(20));
    assert!(sample.albums.iter().all(|a| in_decade.contains(&a.id)));
    assert_eq!(sample.albums.iter().map(|a| a.id).collect::<HashSet<_>>().len(), sample.albums.len());
}

#[tokio::test]
async fn a_walk_survives_writes_and_refuses_bad_input() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let ar = create(&c, catalog::artist_create(), &artist("Hüsker Dü")).await;
    let mut made = Vec::new();
    for (title, year) in
        [("Abbey", 1969), ("Bad", 1987), ("Candy", 1991), ("Dirt", 1992), ("Eden", 1999), ("Fire", 2001)]
    {
        made.push(create(&c, catalog::album_create(), &album(title, &ar, year, "Rock")).await);
    }
    let first: AlbumBrowsePage = c.call(&AlbumBrowse { limit: Some(2), ..browse(AlbumSort::Name) }).await.unwrap();
    assert_eq!(first.albums.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Abbey", "Bad"]);
    // The album the cursor came from is deleted, and one is renamed ahead of
    // the place: the walk goes on from where it was.
    let bad = &made[1];
    let w: Written<Album> = c.call(&AlbumDelete { id: bad.id, revision: None }).await.unwrap();
    assert!(w.entity.is_none());
    write::<_, Album>(
        &c,
        catalog::album_update(),
        &Album { title: "Aardvark".into(), sort_title: String::new(), ..made[2].clone() },
    )
    .await
    .unwrap();
    let rest: AlbumBrowsePage =
        c.call(&AlbumBrowse { cursor: first.next.clone(), limit: Some(10), ..browse(AlbumSort::Name) }).await.unwrap();
    assert_eq!(rest.albums.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Dirt", "Eden", "Fire"]);
    assert_eq!(rest.next, None);
    // The 1990s, newest first; a page that ends the list exactly has a next that lists nothing.
    let nineties: AlbumBrowsePage =
        c.call(&AlbumBrowse { decade: Some(1990), limit: Some(3), ..browse(AlbumSort::YearDesc) }).await.unwrap();
    assert_eq!(nineties.albums.iter().map(|a| a.year.unwrap()).collect::<Vec<_>>(), [1999, 1992, 1991]);
    let after: AlbumBrowsePage = c
        .call(&AlbumBrowse { decade: Some(1990), cursor: nineties.next, ..browse(AlbumSort::YearDesc) })
        .await
        .unwrap();
    assert!(after.albums.is_empty() && after.next.is_none());
    // An album without a year files after every year, both ways, and in no decade.
    let undated = create(&c, catalog::album_create(), &Album { year: None, ..album("Zeal", &ar, 0, "Rock") }).await;
    for sort in [AlbumSort::Year, AlbumSort::YearDesc] {
        let all: AlbumBrowsePage = c.call(&browse(sort)).await.unwrap();
        assert_eq!(all.albums.last().map(|a| a.id), Some(undated.id), "{sort:?}");
    }
    let (since, _) = walk_albums(&c, AlbumBrowse { decade: Some(0), ..browse(AlbumSort::Year) }).await;
    assert!(since.is_empty());

    // Bad input: 400 with its code, in JSON as a browser sends it.
    let nats = server.connect().await.unwrap();
    let subject = catalog::album_browse().subject();
    let cursor_of_names = first.next.unwrap();
    let cases: Vec<(String, &str)> = vec![
        (r#"{"sort": "name", "decade": 1995}"#.into(), "invalid_decade"),
        (r#"{"sort": "name", "decade": -10}"#.into(), "invalid_decade"),
        (r#"{"sort": "name", "decade": 3010}"#.into(), "invalid_decade"),
        (r#"{"sort": "name", "limit": 0}"#.into(), "invalid_limit"),
        (r#"{"sort": "name", "limit": 501}"#.into(), "invalid_limit"),
        (r#"{"sort": "name", "cursor": "garbage"}"#.into(), "invalid_cursor"),
        (format!(r#"{{"sort": "added", "cursor": "{cursor_of_names}"}}"#), "invalid_cursor"),
        (format!(r#"{{"sort": "random", "cursor": "{cursor_of_names}"}}"#), "invalid_cursor"),
        (r#"{"sort": "most_played"}"#.into(), "invalid_request"),
        (r#"{}"#.into(), "invalid_request"),
        (r#"{"sort": "name", "offset": 5}"#.into(), "invalid_request"),
    ];
    for (body, code) in cases {
        let m = raw(&nats, &subject, &[], body.as_bytes()).await;
        let (status, err) = error_of(&m);
        assert_eq!((status, err["code"].as_str()), (400, Some(code)), "{body}");
    }
}

#[tokio::test]
async fn artists_a_to_z_with_a_letter_jump() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    for name in
        ["The Beatles", "ABBA", "Ólafur Arnalds", "Massive Attack", "Metallica", "Nick Drake", "!!!", "Zola Jesus"]
    {
        create(&c, catalog::artist_create(), &artist(name)).await;
    }
    let names = |page: &ArtistBrowsePage| page.artists.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    // All of them, 3 a page, by sort name: The Beatles under B, Ó under O.
    let (mut all, mut cursor) = (Vec::new(), None);
    loop {
        let page: ArtistBrowsePage = c.call(&ArtistBrowse { cursor, limit: Some(3), from: None }).await.unwrap();
        all.extend(names(&page));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(
        all,
        ["!!!", "ABBA", "The Beatles", "Massive Attack", "Metallica", "Nick Drake", "Ólafur Arnalds", "Zola Jesus"]
    );
    // The jump: the first artist filed at or after the letter, folded.
    let from = |f: &str| ArtistBrowse { cursor: None, limit: Some(2), from: Some(f.into()) };
    let m: ArtistBrowsePage = c.call(&from("m")).await.unwrap();
    assert_eq!(names(&m), ["Massive Attack", "Metallica"]);
    let more: ArtistBrowsePage = c.call(&ArtistBrowse { cursor: m.next, limit: Some(2), from: None }).await.unwrap();
    assert_eq!(names(&more), ["Nick Drake", "Ólafur Arnalds"]);
    let o: ArtistBrowsePage = c.call(&from("Ö")).await.unwrap();
    assert_eq!(names(&o), ["Ólafur Arnalds", "Zola Jesus"]);
    let none: ArtistBrowsePage = c.call(&from("zz")).await.unwrap();
    assert!(none.artists.is_empty() && none.next.is_none());
    // Renamed artists re-file; deleted ones leave the list.
    let page: ArtistBrowsePage = c.call(&from("the")).await.unwrap();
    assert_eq!(names(&page), ["Zola Jesus"]);
    let beatles: ArtistBrowsePage = c.call(&from("b")).await.unwrap();
    let b = beatles.artists[0].clone();
    write::<_, Artist>(&c, catalog::artist_update(), &Artist { sort_name: "Zz".into(), ..b.clone() }).await.unwrap();
    let b_now: ArtistBrowsePage = c.call(&from("b")).await.unwrap();
    assert_eq!(names(&b_now), ["Massive Attack", "Metallica"]);
    let w: Written<Artist> = c.call(&ArtistDelete { id: b.id, revision: None }).await.unwrap();
    assert!(w.entity.is_none());
    let z: ArtistBrowsePage = c.call(&from("z")).await.unwrap();
    assert_eq!(names(&z), ["Zola Jesus"]);

    let err = |req: ArtistBrowse| {
        let c = c.clone();
        async move {
            let e = c.call(&req).await.unwrap_err();
            (e.status(), e.code().map(str::to_string))
        }
    };
    let bad = |code: &str| (Some(Status::BadRequest), Some(code.to_string()));
    assert_eq!(err(from(" ")).await, bad("invalid_from"));
    assert_eq!(err(from(&"m".repeat(101))).await, bad("invalid_from"));
    let next = c.call(&ArtistBrowse { limit: Some(1), ..Default::default() }).await.map(|p: ArtistBrowsePage| p.next);
    assert_eq!(err(ArtistBrowse { cursor: next.unwrap(), ..from("m") }).await, bad("cursor_with_from"));
    assert_eq!(err(ArtistBrowse { cursor: Some("n.00.x".into()), ..Default::default() }).await, bad("invalid_cursor"));
    assert_eq!(err(ArtistBrowse { limit: Some(0), ..Default::default() }).await, bad("invalid_limit"));
}
