//! `catalog.suggest`: completions for a search box.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::SearchKind;

/// `catalog.suggest` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suggest {
    /// What the listener has typed so far.
    pub q: String,
    /// Completions, 1 to 20; 8 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The text to complete to: an artist's name, an album or track title.
    pub text: String,
    /// What it names.
    pub kind: SearchKind,
    /// Its id.
    pub id: Uuid,
    /// `text`, HTML-escaped, with the matched parts in `<em>`.
    pub highlight: String,
}

/// `catalog.suggest` reply: artists first, then albums, then tracks, each best first, no text twice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SuggestReply {
    /// The completions.
    pub suggestions: Vec<Suggestion>,
}
