//! Paged list requests that take nothing but a cursor and a page size.

use serde::{Deserialize, Serialize};

/// A list request of a cursor and a page size: one type per endpoint, the same fields.
macro_rules! page_request {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The `next` cursor of the previous page; none for the first page.
            #[serde(default)]
            pub cursor: Option<String>,
            /// Page size (the endpoint says its range and default).
            #[serde(default)]
            pub limit: Option<u32>,
        }
    };
}

page_request!(
    /// `playlist.list` request: a page of the caller's playlists.
    PlaylistList
);
page_request!(
    /// `rating.list` request: a page of the caller's ratings.
    RatingList
);
page_request!(
    /// `play.history` request: a page of the caller's plays, oldest first.
    PlayHistory
);
page_request!(
    /// `play.albums` request: a page of the caller's most played albums.
    PlayAlbums
);
