//! What every payment endpoint is given.

use std::sync::Arc;

use chorus_host::Fail;
use chorus_nats::errors::payment as codes;
use chorus_nats::ServiceError;
use chorus_state::{Records, WriteError};
use uuid::Uuid;

use crate::config::PaymentConfig;
use crate::gateway::Gateway;
use crate::idempotency::Keys;
use crate::invoices::Invoices;
use crate::ledger::Ledger;
use crate::records::{customer_key, entitlement_key, Customer, Entitlement};

/// Writes of one customer record retried on a conflict before 409.
const ATTEMPTS: usize = 5;

/// The payment service's shared state.
pub(crate) struct Payment {
    pub(crate) config: PaymentConfig,
    /// `chorus_payment`: customers and entitlements.
    pub(crate) records: Records,
    pub(crate) keys: Keys,
    pub(crate) invoices: Invoices,
    pub(crate) ledger: Ledger,
    pub(crate) gateway: Arc<dyn Gateway>,
    /// The service's time (a test deployment can move it).
    pub(crate) clock: crate::clock::Clock,
    /// For the renewal queue.
    pub(crate) js: async_nats::jetstream::Context,
}

impl Payment {
    /// `user`'s billing (empty when there is none yet).
    pub(crate) async fn customer(&self, user: Uuid) -> Result<Customer, Fail> {
        Ok(self.records.get::<Customer>(&customer_key(user)).await?.map(|(c, _)| c).unwrap_or_default())
    }

    /// Change `user`'s billing with `change` (read, decide, write at the
    /// revision read; retried on a conflict). Returns the billing as written.
    pub(crate) async fn change<F>(&self, user: Uuid, mut change: F) -> Result<Customer, Fail>
    where
        F: FnMut(Customer) -> Result<Customer, ServiceError>,
    {
        let written = self
            .records
            .modify::<Customer, _, _>(&customer_key(user), ATTEMPTS, |c| {
                let next = change(c.unwrap_or_default());
                async move { next.map(Some) }
            })
            .await;
        match written {
            Ok(Some((Some(c), _))) => Ok(c),
            Ok(_) => Ok(Customer::default()),
            Err(WriteError::Refused(e)) => Err(e.into()),
            Err(WriteError::Conflict) => {
                Err(ServiceError::conflict(codes::CONFLICT, "your billing changed at the same time; retry").into())
            }
            Err(e) => Err(anyhow::anyhow!("writing billing: {e}").into()),
        }
    }

    /// Publish what `user` is entitled to (auth reads it for the next token).
    pub(crate) async fn entitle(&self, user: Uuid, entitlement: Entitlement) -> Result<(), Fail> {
        self.records.put(&entitlement_key(user), &entitlement).await?;
        Ok(())
    }

    /// A card fingerprint as kept: keyed with `[payment] fingerprint_key`, so
    /// the stored digest cannot be reversed by hashing the few numbers that
    /// share a card's brand prefix and last four digits.
    pub(crate) fn fingerprint(&self, raw: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.config.fingerprint_key.expose().as_bytes());
        h.update(raw.as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What `user` is entitled to now.
    pub(crate) async fn entitlement(&self, user: Uuid) -> Result<chorus_nats::messages::auth::Plan, Fail> {
        let now = self.clock.now();
        let found = self.records.get::<Entitlement>(&entitlement_key(user)).await?;
        Ok(found.map(|(e, _)| e.at(now)).unwrap_or_default())
    }
}
