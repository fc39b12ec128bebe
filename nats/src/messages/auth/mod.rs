//! Auth bodies: accounts, sessions, token claims, admin operations, public keys.

mod account;
mod admin;
mod apps;
mod claims;
mod devices;
mod keys;
mod session;

pub use account::*;
pub use admin::*;
pub use apps::*;
pub use claims::*;
pub use devices::*;
pub use keys::*;
pub use session::*;
