//! Payment bodies: plans, payment methods, subscriptions, invoices, the ledger check.
//!
//! Money is integer minor units (`amount: 999` in `EUR` is €9.99) with an
//! ISO 4217 currency code; never a float.

mod billing;
mod invoice;
mod method;
mod plan;
mod subscription;

pub use billing::*;
pub use invoice::*;
pub use method::*;
pub use plan::*;
pub use subscription::*;
