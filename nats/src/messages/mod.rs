//! Request and reply bodies, one module per service.

pub mod auth;
pub mod catalog;
pub mod payment;
pub mod profile;
pub mod recommend;
pub mod search;
pub mod stream;

use serde::{Deserialize, Serialize};

/// A body without fields (`{}`): requests that need nothing, replies that say nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}
