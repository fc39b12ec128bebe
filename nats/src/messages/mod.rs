//! Request and reply bodies, one module per service.

pub mod auth;
pub mod catalog;
pub mod payment;
pub mod profile;
pub mod recommend;
pub mod search;
pub mod stream;

use serde::{Deserialize, Serialize};

/// A reply that is one page of a list: `{<FIELD>: [Item, ...], next}`,
/// `next` the cursor of the next page (none on the last). A service may
/// answer with its items kept encoded (`chorus_host::EncodedPage`).
pub trait ListPage {
    /// What the list holds.
    type Item;
    /// The list's field.
    const FIELD: &'static str;
}

/// A body without fields (`{}`): requests that need nothing, replies that say nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}
