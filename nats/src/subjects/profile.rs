//! The profile service: playlists, favorites, ratings, listening history, play queue.

use super::Endpoint;
use crate::messages::profile::{
    CountsRequest, FavoriteList, FavoriteSet, Favorites, PlayAlbums, PlayAlbumsPage, PlayCounts, PlayHistory,
    PlayHistoryPage, PlayQueue, PlayRecord, Playlist, PlaylistCreate, PlaylistGet, PlaylistList, PlaylistPage,
    PlaylistRef, PlaylistUpdate, PlaylistView, QueueGet, QueueSave, RatingList, RatingSet, Ratings, RecentPlays,
    RecentRequest,
};
use crate::messages::Empty;

/// Service name and queue group.
pub const SERVICE: &str = "profile";

endpoints! {
    /// `chorus.profile.v1.playlist.create`: a new playlist of the caller's.
    playlist_create: playlist.create, Authenticated, PlaylistCreate => Playlist;
    /// `chorus.profile.v1.playlist.get`: a playlist of the caller's, or a public one, with its tracks.
    playlist_get: playlist.get, Authenticated, PlaylistGet => PlaylistView;
    /// `chorus.profile.v1.playlist.list`: the caller's playlists.
    playlist_list: playlist.list, Authenticated, PlaylistList => PlaylistPage;
    /// `chorus.profile.v1.playlist.update`: rename, describe, publish, edit tracks, at a revision.
    playlist_update: playlist.update, Authenticated, PlaylistUpdate => Playlist;
    /// `chorus.profile.v1.playlist.delete`: delete one of the caller's playlists.
    playlist_delete: playlist.delete, Authenticated, PlaylistRef => Empty;
    /// `chorus.profile.v1.favorite.set`: star or unstar a track, album or artist.
    favorite_set: favorite.set, Authenticated, FavoriteSet => Empty;
    /// `chorus.profile.v1.favorite.list`: the caller's starred tracks, albums and artists.
    favorite_list: favorite.list, Authenticated, FavoriteList => Favorites;
    /// `chorus.profile.v1.rating.set`: rate a track 1 to 5 (0 clears).
    rating_set: rating.set, Authenticated, RatingSet => Empty;
    /// `chorus.profile.v1.rating.list`: the caller's ratings.
    rating_list: rating.list, Authenticated, RatingList => Ratings;
    /// `chorus.profile.v1.play.record`: append a play to the listening history
    /// (deduplicated by play id); stream calls it for the playback session's listener.
    play_record: play.record, Service, PlayRecord => Empty;
    /// `chorus.profile.v1.play.recent`: recently played tracks, each once, newest first.
    play_recent: play.recent, Authenticated, RecentRequest => RecentPlays;
    /// `chorus.profile.v1.play.history`: every play the caller recorded, oldest first (their data, to take away).
    play_history: play.history, Authenticated, PlayHistory => PlayHistoryPage;
    /// `chorus.profile.v1.play.counts`: play counts per track, album and artist, optionally in a period.
    play_counts: play.counts, Authenticated, CountsRequest => PlayCounts;
    /// `chorus.profile.v1.play.albums`: the caller's most played albums, a page at a time.
    play_albums: play.albums, Authenticated, PlayAlbums => PlayAlbumsPage;
    /// `chorus.profile.v1.queue.save`: save the play queue (tracks, index, position).
    queue_save: queue.save, Authenticated, QueueSave => Empty;
    /// `chorus.profile.v1.queue.get`: the saved play queue.
    queue_get: queue.get, Authenticated, QueueGet => PlayQueue;
}
