//! The catalog service: artists, albums, tracks, genres.

use super::Endpoint;
use crate::messages::catalog::{
    Album, AlbumBrowse, AlbumBrowsePage, AlbumCreate, AlbumDelete, AlbumDetail, AlbumGet, AlbumList, AlbumPage,
    AlbumUpdate, Art, ArtGet, Artist, ArtistBrowse, ArtistBrowsePage, ArtistCreate, ArtistDelete, ArtistDetail,
    ArtistGet, ArtistList, ArtistPage, ArtistUpdate, GenreList, Genres, Track, TrackBatch, TrackBatchReply,
    TrackCreate, TrackDelete, TrackGet, TrackList, TrackPage, TrackUpdate, Written,
};

/// Service name and queue group.
pub const SERVICE: &str = "catalog";

endpoints! {
    /// `chorus.catalog.v1.track.get`: one track by id.
    track_get: track.get, Public, TrackGet => Track;
    /// `chorus.catalog.v1.track.batch`: several tracks by id.
    track_batch: track.batch, Public, TrackBatch => TrackBatchReply;
    /// `chorus.catalog.v1.track.list`: tracks in id order, filtered, by cursor.
    track_list: track.list, Public, TrackList => TrackPage;
    /// `chorus.catalog.v1.track.create`.
    track_create: track.create, Admin, TrackCreate => Written<Track>;
    /// `chorus.catalog.v1.track.update`.
    track_update: track.update, Admin, TrackUpdate => Written<Track>;
    /// `chorus.catalog.v1.track.delete`.
    track_delete: track.delete, Admin, TrackDelete => Written<Track>;
    /// `chorus.catalog.v1.album.get`: an album with its tracks.
    album_get: album.get, Public, AlbumGet => AlbumDetail;
    /// `chorus.catalog.v1.album.list`: browse lists (newest, alphabetical, by year, by genre, random).
    album_list: album.list, Public, AlbumList => AlbumPage;
    /// `chorus.catalog.v1.album.browse`: the library's album pages (sorts, genre and decade), by cursor.
    album_browse: album.browse, Public, AlbumBrowse => AlbumBrowsePage;
    /// `chorus.catalog.v1.album.create`.
    album_create: album.create, Admin, AlbumCreate => Written<Album>;
    /// `chorus.catalog.v1.album.update`.
    album_update: album.update, Admin, AlbumUpdate => Written<Album>;
    /// `chorus.catalog.v1.album.delete`.
    album_delete: album.delete, Admin, AlbumDelete => Written<Album>;
    /// `chorus.catalog.v1.artist.get`: an artist with its albums.
    artist_get: artist.get, Public, ArtistGet => ArtistDetail;
    /// `chorus.catalog.v1.artist.list`: artists by name.
    artist_list: artist.list, Public, ArtistList => ArtistPage;
    /// `chorus.catalog.v1.artist.browse`: artists A to Z, by cursor, from any letter.
    artist_browse: artist.browse, Public, ArtistBrowse => ArtistBrowsePage;
    /// `chorus.catalog.v1.artist.create`.
    artist_create: artist.create, Admin, ArtistCreate => Written<Artist>;
    /// `chorus.catalog.v1.artist.update`.
    artist_update: artist.update, Admin, ArtistUpdate => Written<Artist>;
    /// `chorus.catalog.v1.artist.delete`.
    artist_delete: artist.delete, Admin, ArtistDelete => Written<Artist>;
    /// `chorus.catalog.v1.genre.list`: genres with track and album counts.
    genre_list: genre.list, Public, GenreList => Genres;
    /// `chorus.catalog.v1.art.get`: a cover art image by name.
    art_get: art.get, Public, ArtGet => Art;
}
