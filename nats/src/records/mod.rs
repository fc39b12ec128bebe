//! Record contracts: the JetStream buckets a service writes and others
//! follow — their names, key formats and the settings every reader shares.

pub mod accounts;
pub mod catalog;
pub mod payment;
pub mod profile;
pub mod stream;
