"""A third-party OpenSubsonic client (PyPI's py-opensonic, `libopensonic`)
against a running Chorus gateway: nodes/tests/it/subsonic.rs starts the
stack, makes the listener and app passwords, and runs this with:

  CHORUS_SUBSONIC_PORT, CHORUS_SUBSONIC_USER, CHORUS_SUBSONIC_PASSWORD,
  CHORUS_SUBSONIC_API_KEY, CHORUS_SUBSONIC_REVOKED (a revoked app password),
  CHORUS_SUBSONIC_TRACKS (how many tracks the catalog has),
  CHORUS_SUBSONIC_ARTIST (the artist whose tracks have audio),
  CHORUS_SUBSONIC_SHAS (sha256 of the imported audio files, comma-separated).

Every check raises on failure; the exit status says whether all held.
"""

import asyncio
import hashlib
import os

from libopensonic import AsyncConnection, errors

PORT = int(os.environ["CHORUS_SUBSONIC_PORT"])
USER = os.environ["CHORUS_SUBSONIC_USER"]
PASSWORD = os.environ["CHORUS_SUBSONIC_PASSWORD"]
API_KEY = os.environ["CHORUS_SUBSONIC_API_KEY"]
REVOKED = os.environ["CHORUS_SUBSONIC_REVOKED"]
TRACKS = int(os.environ["CHORUS_SUBSONIC_TRACKS"])
ARTIST = os.environ["CHORUS_SUBSONIC_ARTIST"]
SHAS = set(os.environ["CHORUS_SUBSONIC_SHAS"].split(","))


def connect(**kw):
    return AsyncConnection("http://127.0.0.1", port=PORT, app_name="libopensonic-test", **kw)


async def expect(code, call):
    try:
        await call
    except errors.getExcByCode(code):
        return
    raise AssertionError(f"expected error {code}")


async def main():
    # Sign in every way: token+salt (the library's default), legacy p=enc:, apiKey.
    token = connect(username=USER, password=PASSWORD)
    legacy = connect(username=USER, password=PASSWORD, legacy_auth=True)
    c = connect(api_key=API_KEY)
    assert await token.ping() and await legacy.ping() and await c.ping()
    info = await c.token_info()
    assert info.username == USER, info
    names = {e.name for e in await c.get_open_subsonic_extensions()}
    assert {"apiKeyAuthentication", "formPost"} <= names, names

    # Wrong credentials, a revoked app password, bad parameters.
    await expect(40, connect(username=USER, password="not the password").ping())
    await expect(40, connect(username=USER, password=REVOKED).ping())
    await expect(44, connect(api_key=API_KEY + "x").ping())
    await expect(70, c.get_album("al-00000000-0000-0000-0000-000000000000"))
    await expect(10, c.get_album_list2("byYear"))

    # Browse artists -> album -> song.
    artists = await c.get_artists()
    listed = [a for index in artists.index or [] for a in index.artist or []]
    assert len(listed) > 1, listed
    mine = [a for a in listed if a.name == ARTIST]
    assert len(mine) == 1, ARTIST
    artist = await c.get_artist(mine[0].id)
    album = await c.get_album(artist.album[0].id)
    song = album.song[0]
    assert song.suffix == "opus" and album.song_count == len(album.song), album
    assert (await c.get_song(song.id)).title == song.title

    # search3's empty query: the whole library, 500 a page, none missing or twice.
    seen = set()
    pages = 0
    while True:
        page = await c.search3("", artist_count=0, album_count=0, song_count=500, song_offset=len(seen))
        songs = page.song or []
        if not songs:
            break
        pages += 1
        for s in songs:
            assert s.id not in seen, f"{s.id} twice"
            seen.add(s.id)
    assert len(seen) == TRACKS, (len(seen), TRACKS)
    assert pages == -(-TRACKS // 500), pages

    # Stream the whole track: the file imported; then a range from the middle.
    res = await c.stream(song.id)
    whole = await res.read()
    assert hashlib.sha256(whole).hexdigest() in SHAS, "the bytes streamed are a file imported"
    mid = len(whole) // 2
    res = await c.stream(song.id, byte_range=f"bytes={mid}-{mid + 99_999}")
    assert res.status == 206, res.status
    assert await res.read() == whole[mid:mid + 100_000]

    # Star, rate, scrobble, and find the play in recently played.
    assert await c.star(sids=[song.id], album_ids=[album.id])
    assert await c.set_rating(song.id, 5)
    assert await c.scrobble(song.id)
    starred = await c.get_starred2()
    assert [s.id for s in starred.song or []] == [song.id]
    assert [a.id for a in starred.album or []] == [album.id]
    assert (await c.get_song(song.id)).user_rating == 5
    recent = await c.get_album_list2("recent")
    assert recent and recent[0].id == album.id, recent

    # Playlists: create, read, update, delete.
    ids = [s.id for s in album.song]
    assert await c.create_playlist(name="From py-opensonic", song_ids=ids)
    mine = [p for p in await c.get_playlists() if p.name == "From py-opensonic"]
    assert len(mine) == 1
    pl = await c.get_playlist(mine[0].id)
    assert [e.id for e in pl.entry] == ids
    assert await c.update_playlist(pl.id, name="Renamed", song_indices_to_remove=[0])
    pl = await c.get_playlist(pl.id)
    assert (pl.name, [e.id for e in pl.entry]) == ("Renamed", ids[1:])
    assert await c.delete_playlist(pl.id)
    await expect(70, c.get_playlist(pl.id))

    # The play queue.
    assert await c.save_play_queue(ids, current=ids[-1], position=12_345)
    q = await c.get_play_queue()
    assert [e.id for e in q.entry] == ids and q.current == ids[-1] and q.position == 12_345, q

    for conn in (token, legacy, c):
        await conn.cleanup()
    print("libopensonic: every check held")


asyncio.run(main())
