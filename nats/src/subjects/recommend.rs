//! The recommend service: mixes, similar tracks and artists, radio.

use super::Endpoint;
use crate::messages::recommend::{
    ArtistSimilar, ArtistTop, Mix, MixRequest, ModelGet, ModelTrain, RadioNext, RadioStart, RadioTracks, ServedModel,
    SimilarArtists, SimilarTracks, TopTracks, TrackSimilar, TrainQueued,
};

/// Service name and queue group.
pub const SERVICE: &str = "recommend";

endpoints! {
    /// `chorus.recommend.v1.user.mix`: a personal mix of tracks, each with its reason.
    user_mix: user.mix, Authenticated, MixRequest => Mix;
    /// `chorus.recommend.v1.track.similar`: tracks close to a track.
    track_similar: track.similar, Authenticated, TrackSimilar => SimilarTracks;
    /// `chorus.recommend.v1.artist.similar`: artists close to an artist.
    artist_similar: artist.similar, Authenticated, ArtistSimilar => SimilarArtists;
    /// `chorus.recommend.v1.artist.top`: an artist's most played tracks, by every listener.
    artist_top: artist.top, Authenticated, ArtistTop => TopTracks;
    /// `chorus.recommend.v1.radio.start`: a radio from a seed, and its first tracks.
    radio_start: radio.start, Authenticated, RadioStart => RadioTracks;
    /// `chorus.recommend.v1.radio.next`: the radio's next tracks, steered by skips.
    radio_next: radio.next, Authenticated, RadioNext => RadioTracks;
    /// `chorus.recommend.v1.model.get`: the model this instance serves (admin).
    model_get: model.get, Admin, ModelGet => ServedModel;
    /// `chorus.recommend.v1.model.train`: train a new model now (admin).
    model_train: model.train, Admin, ModelTrain => TrainQueued;
}
