//! Payment processing behind a trait, and a simulated gateway that behaves
//! like Stripe's test cards.
//!
//! The [`Gateway`] methods return futures: a real gateway is a remote service,
//! and so is the [`SimulatedGateway`]. The payment service runs as several
//! instances, and a provider is one service they all talk to, so the
//! simulator keeps nothing in the process:
//!
//! - a card token carries the card's behaviour (`tok_<behaviour>_<uuid>`,
//!   decided from the number at attach time), so attaching stores nothing and
//!   any instance can charge a token any instance made;
//! - charges, refunds and their idempotency keys live in the JetStream KV
//!   bucket [`SIMULATOR_BUCKET`], shared by every instance, written with
//!   create-if-absent and compare-and-set so that concurrent instances agree.
//!
//! Every charge and refund carries an idempotency key: the same key with the
//! same request returns the same result and never charges (or refunds) twice;
//! the same key with a different request is refused. A charge or refund that
//! fails (a declined card, a refund above what is left) stores nothing, so its
//! key stays free.
//!
//! # The book, and what a crash leaves
//!
//! Keys in the bucket (`<digest>` is the hex SHA-256 of an idempotency key, so
//! any key is a valid KV key):
//!
//! - `key.<digest>`: a charge key, the request and **the whole charge** as
//!   made. Created (create-if-absent) *first*: that one write decides, across
//!   instances, which request makes the charge and what the charge is.
//! - `charge.<id>`: the charge as it stands (status, amount, currency, what
//!   has been refunded and by which refund key). Created *second*, from the
//!   key record. A crash between the two leaves a key whose charge record is
//!   missing; whoever next reads that key (a retry with the same key, or a
//!   concurrent caller) creates the charge record from the key record, create
//!   if absent again, so it is made once. A key therefore never points at
//!   nothing, and a charge record never exists without its key: no charge is
//!   made twice or lost, and nobody is given a charge id before its record is
//!   written. [`Gateway::confirm`] updates the charge record by compare-and-set.
//! - `refund_key.<digest>`: a refund key, the request and the refund. Written
//!   *after* the refund is applied to its charge. The charge record is what
//!   decides a refund: one compare-and-set adds the refund (under its key's
//!   digest) and raises `refunded`, so concurrent refunds cannot exceed the
//!   charge and the same key cannot refund the same charge twice. A crash
//!   before the key record is written leaves the refund applied and findable
//!   in its charge; the retry finds it there, returns it and writes the key
//!   record. If the key turns out to be taken by a refund of another charge
//!   (two different requests raced with one key), the loser takes its refund
//!   back out of its charge and is refused.
//!
//! Reads and writes of the bucket that fail are [`GatewayError::ProcessingError`]
//! (retryable, with the same key), as a real provider's outage would be.

use std::fmt;
use std::time::Duration;

use chorus_state::{Records, WriteError};
use futures::future::BoxFuture;
use futures::FutureExt as _;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::cards::CardDetails;

/// The simulator's KV bucket, shared by every instance of the payment service.
pub(crate) const SIMULATOR_BUCKET: &str = "chorus_payment_simulator";

/// How many times a compare-and-set is tried before the request is a
/// (retryable) [`GatewayError::ProcessingError`].
const ATTEMPTS: usize = 10;

/// Something that keeps cards and moves money.
///
/// The futures may borrow the arguments.
pub(crate) trait Gateway: Send + Sync + 'static {
    /// Keep a card; returns a token (never the number).
    fn attach<'a>(&'a self, card: &'a CardDetails) -> BoxFuture<'a, Result<String, GatewayError>>;
    /// Charge `amount` minor units of `currency` to the card `token`; `key` makes a retried charge the same charge.
    fn charge<'a>(
        &'a self,
        token: &'a str,
        amount: i64,
        currency: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Charge, GatewayError>>;
    /// Complete a charge that [`ChargeStatus::RequiresAction`] (3-D Secure); a succeeded charge is returned as is.
    fn confirm<'a>(&'a self, charge_id: &'a str) -> BoxFuture<'a, Result<Charge, GatewayError>>;
    /// Refund (part of) a charge; `key` makes a retried refund the same refund.
    fn refund<'a>(
        &'a self,
        charge_id: &'a str,
        amount: i64,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Refund, GatewayError>>;
}

/// Where a charge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChargeStatus {
    /// The money was taken.
    Succeeded,
    /// The listener must authenticate (3-D Secure); then [`Gateway::confirm`].
    RequiresAction,
}

/// A charge the gateway made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Charge {
    /// The gateway's id, `ch_…`.
    pub(crate) id: String,
    /// Where it stands.
    pub(crate) status: ChargeStatus,
    /// Minor units charged.
    pub(crate) amount: i64,
    /// Lowercase ISO 4217 code, e.g. `eur`.
    pub(crate) currency: String,
}

/// A refund the gateway made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Refund {
    /// The gateway's id, `re_…`.
    pub(crate) id: String,
    /// The charge refunded.
    pub(crate) charge_id: String,
    /// Minor units refunded.
    pub(crate) amount: i64,
    /// The charge's currency.
    pub(crate) currency: String,
}

/// Why the gateway refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GatewayError {
    /// The card was declined.
    CardDeclined,
    /// Not enough funds.
    InsufficientFunds,
    /// The issuer says the card has expired.
    ExpiredCard,
    /// The gateway failed; the same request (same key) may succeed later.
    ProcessingError,
    /// The card attached but cannot be charged.
    ChargeFailed,
    /// No card under that token.
    UnknownCardToken,
    /// Amount zero or negative.
    AmountInvalid,
    /// Currency not three ASCII letters.
    CurrencyInvalid,
    /// No charge with that id.
    UnknownCharge,
    /// The charge has not succeeded.
    ChargeNotRefundable,
    /// More than what is left to refund.
    RefundExceedsCharge,
    /// Empty idempotency key.
    IdempotencyKeyMissing,
    /// Idempotency key already used for a different request.
    IdempotencyKeyReused,
}

impl GatewayError {
    /// The stable error code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::CardDeclined => "card_declined",
            Self::InsufficientFunds => "insufficient_funds",
            Self::ExpiredCard => "expired_card",
            Self::ProcessingError => "processing_error",
            Self::ChargeFailed => "charge_failed",
            Self::UnknownCardToken => "unknown_card_token",
            Self::AmountInvalid => "amount_invalid",
            Self::CurrencyInvalid => "currency_invalid",
            Self::UnknownCharge => "unknown_charge",
            Self::ChargeNotRefundable => "charge_not_refundable",
            Self::RefundExceedsCharge => "refund_exceeds_charge",
            Self::IdempotencyKeyMissing => "idempotency_key_missing",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
        }
    }

    /// A sentence for the listener or the log.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::CardDeclined => "The card was declined.",
            Self::InsufficientFunds => "The card has insufficient funds.",
            Self::ExpiredCard => "The card has expired.",
            Self::ProcessingError => "The payment could not be processed; please try again.",
            Self::ChargeFailed => "The card could not be charged.",
            Self::UnknownCardToken => "No card is saved under that token.",
            Self::AmountInvalid => "The amount must be more than zero.",
            Self::CurrencyInvalid => "The currency must be a three-letter code.",
            Self::UnknownCharge => "No such charge.",
            Self::ChargeNotRefundable => "Only a succeeded charge can be refunded.",
            Self::RefundExceedsCharge => "The refund is more than what is left of the charge.",
            Self::IdempotencyKeyMissing => "An idempotency key is required.",
            Self::IdempotencyKeyReused => "That idempotency key was used for a different request.",
        }
    }

    /// True if the same request may succeed if tried again.
    pub(crate) fn retryable(self) -> bool {
        matches!(self, Self::ProcessingError)
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for GatewayError {}

/// What a simulated card does when charged, decided from its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// Charges succeed.
    Succeed,
    /// Charges fail with this error.
    Fail(GatewayError),
    /// Charges need 3-D Secure, then [`Gateway::confirm`].
    RequiresAction,
}

/// Each behaviour and its code in a token (no `_`, so the token splits).
const BEHAVIOURS: [(&str, Behaviour); 7] = [
    ("ok", Behaviour::Succeed),
    ("3ds", Behaviour::RequiresAction),
    ("declined", Behaviour::Fail(GatewayError::CardDeclined)),
    ("nofunds", Behaviour::Fail(GatewayError::InsufficientFunds)),
    ("chargefail", Behaviour::Fail(GatewayError::ChargeFailed)),
    ("expired", Behaviour::Fail(GatewayError::ExpiredCard)),
    ("processing", Behaviour::Fail(GatewayError::ProcessingError)),
];

impl Behaviour {
    /// The behaviour of Stripe's test card with these digits.
    fn of(digits: &str) -> Self {
        match digits {
            "4000000000000002" => Self::Fail(GatewayError::CardDeclined),
            "4000000000000341" => Self::Fail(GatewayError::ChargeFailed),
            "4000002760003184" => Self::RequiresAction,
            d if d.ends_with("9995") => Self::Fail(GatewayError::InsufficientFunds),
            d if d.ends_with("0069") => Self::Fail(GatewayError::ExpiredCard),
            d if d.ends_with("0119") => Self::Fail(GatewayError::ProcessingError),
            _ => Self::Succeed,
        }
    }

    /// Its code in a token.
    fn code(self) -> &'static str {
        BEHAVIOURS.iter().find(|(_, b)| *b == self).map_or("ok", |(code, _)| code)
    }

    /// A new token for a card that behaves so: `tok_<code>_<uuid v4, simple>`.
    fn token(self) -> String {
        format!("tok_{}_{}", self.code(), Uuid::new_v4().simple())
    }

    /// The behaviour a token carries; `None` if it is not a token this gateway made.
    fn of_token(token: &str) -> Option<Self> {
        let (code, id) = token.strip_prefix("tok_")?.split_once('_')?;
        if !is_simple_uuid(id) {
            return None;
        }
        BEHAVIOURS.iter().find(|(c, _)| *c == code).map(|(_, b)| *b)
    }
}

/// What a charge key was first used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ChargeRequest {
    /// The card token.
    token: String,
    /// Minor units.
    amount: i64,
    /// Lowercase currency.
    currency: String,
}

/// What a refund key was first used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RefundRequest {
    /// The charge refunded.
    charge_id: String,
    /// Minor units.
    amount: i64,
}

/// `key.<digest>`: a charge key's first request and the charge it made, as
/// made (enough to write the charge record if it is missing).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChargeKey {
    /// The request.
    request: ChargeRequest,
    /// The charge, as made.
    charge: Charge,
}

/// `charge.<id>`: a charge as it stands and the refunds taken from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChargeEntry {
    /// The charge as it stands now.
    charge: Charge,
    /// Minor units refunded so far (the sum of `refunds`).
    refunded: i64,
    /// The refunds, each with the digest of the key that made it.
    refunds: Vec<AppliedRefund>,
}

/// A refund taken from a charge.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AppliedRefund {
    /// The digest of its idempotency key.
    key: String,
    /// The refund.
    refund: Refund,
}

/// `refund_key.<digest>`: a refund key's first request and the refund it made.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RefundKey {
    /// The request.
    request: RefundRequest,
    /// The refund.
    refund: Refund,
}

/// A gateway that behaves like Stripe's test cards, its book in
/// [`SIMULATOR_BUCKET`] so that every instance sees one provider.
///
/// By number: `4000 0000 0000 0002` is declined, `…9995` has insufficient
/// funds, `4000 0000 0000 0341` attaches but fails to charge, `…0069` is an
/// expired card, `…0119` a (retryable) processing error, `4000 0027 6000 3184`
/// needs 3-D Secure ([`Gateway::confirm`]); any other valid number succeeds.
#[derive(Clone)]
pub(crate) struct SimulatedGateway {
    /// The shared book: charges, refunds and their keys.
    records: Records,
}

impl fmt::Debug for SimulatedGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatedGateway").field("bucket", &SIMULATOR_BUCKET).finish()
    }
}

impl SimulatedGateway {
    /// Open the shared book, creating the bucket with `replicas` on first use.
    pub(crate) async fn open(js: &async_nats::jetstream::Context, replicas: usize) -> anyhow::Result<Self> {
        Ok(Self { records: Records::open(js, SIMULATOR_BUCKET, replicas).await? })
    }

    /// How many charges were actually made (replays and failures excluded),
    /// by every instance: the `charge.*` records. For tests.
    #[cfg(test)]
    pub(crate) fn charges(&self) -> BoxFuture<'_, anyhow::Result<u64>> {
        use futures::TryStreamExt as _;
        async move {
            let mut keys = self.records.store().keys().await?;
            let mut count = 0;
            while let Some(key) = keys.try_next().await? {
                if key.starts_with("charge.") {
                    count += 1;
                }
            }
            Ok(count)
        }
        .boxed()
    }

    /// See [`Gateway::charge`].
    async fn make_charge(&self, token: &str, amount: i64, currency: &str, key: &str) -> Result<Charge, GatewayError> {
        check_key(key)?;
        check_amount(amount)?;
        let request = ChargeRequest { token: token.to_owned(), amount, currency: normalise_currency(currency)? };
        let behaviour = Behaviour::of_token(token).ok_or(GatewayError::UnknownCardToken)?;
        let key_record = format!("key.{}", digest(key));
        let status = match behaviour {
            Behaviour::Succeed => ChargeStatus::Succeeded,
            Behaviour::RequiresAction => ChargeStatus::RequiresAction,
            Behaviour::Fail(error) => {
                // Nothing is stored; a key used before is still replayed (or refused).
                return match self.read::<ChargeKey>(&key_record).await? {
                    Some((first, _)) => self.replay_charge(first, &request).await,
                    None => {
                        tracing::debug!(
                            code = error.code(),
                            retryable = error.retryable(),
                            "the simulated card refused a charge"
                        );
                        Err(error)
                    }
                };
            }
        };
        let charge = Charge { id: new_id("ch"), status, amount: request.amount, currency: request.currency.clone() };
        let made = ChargeKey { request, charge };
        match self.records.create(&key_record, &made).await {
            // This request made the charge; now its record.
            Ok(_) => self.charge_record(&made.charge).await,
            // Another request (here or on another instance) used the key first.
            Err(WriteError::Exists) => {
                let first = self.read_back::<ChargeKey>(&key_record).await?;
                self.replay_charge(first, &made.request).await
            }
            Err(e) => Err(failed(&key_record, e)),
        }
    }

    /// The charge a used key made, if `request` is the same as the first,
    /// as it stands now (a confirmed charge is `Succeeded`).
    async fn replay_charge(&self, first: ChargeKey, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        if first.request != *request {
            return Err(GatewayError::IdempotencyKeyReused);
        }
        self.charge_record(&first.charge).await
    }

    /// The record of a charge a key made, as it stands; written from the key
    /// record if it is missing (its maker wrote the key and not yet, or never,
    /// the charge).
    async fn charge_record(&self, made: &Charge) -> Result<Charge, GatewayError> {
        let record = format!("charge.{}", made.id);
        if let Some((entry, _)) = self.read::<ChargeEntry>(&record).await? {
            return Ok(entry.charge);
        }
        let entry = ChargeEntry { charge: made.clone(), refunded: 0, refunds: Vec::new() };
        match self.records.create(&record, &entry).await {
            Ok(_) => Ok(entry.charge),
            Err(WriteError::Exists) => Ok(self.read_back::<ChargeEntry>(&record).await?.charge),
            Err(e) => Err(failed(&record, e)),
        }
    }

    /// See [`Gateway::confirm`].
    async fn confirm_charge(&self, charge_id: &str) -> Result<Charge, GatewayError> {
        let record = charge_record_key(charge_id).ok_or(GatewayError::UnknownCharge)?;
        for _ in 0..ATTEMPTS {
            let (mut entry, revision) = self.read::<ChargeEntry>(&record).await?.ok_or(GatewayError::UnknownCharge)?;
            if entry.charge.status == ChargeStatus::Succeeded {
                return Ok(entry.charge);
            }
            entry.charge.status = ChargeStatus::Succeeded;
            match self.records.update(&record, &entry, revision).await {
                Ok(_) => return Ok(entry.charge),
                Err(WriteError::Conflict) => continue,
                Err(e) => return Err(failed(&record, e)),
            }
        }
        Err(contended(&record))
    }

    /// See [`Gateway::refund`].
    async fn make_refund(&self, charge_id: &str, amount: i64, key: &str) -> Result<Refund, GatewayError> {
        check_key(key)?;
        check_amount(amount)?;
        let request = RefundRequest { charge_id: charge_id.to_owned(), amount };
        let key_digest = digest(key);
        let key_record = format!("refund_key.{key_digest}");
        if let Some((first, _)) = self.read::<RefundKey>(&key_record).await? {
            return same_refund(first, &request);
        }
        let refund = self.take_refund(&request, &key_digest).await?;
        let made = RefundKey { request, refund };
        match self.records.create(&key_record, &made).await {
            Ok(_) => Ok(made.refund),
            Err(WriteError::Exists) => {
                let first = self.read_back::<RefundKey>(&key_record).await?;
                if first.request != made.request {
                    // The key went to a refund of another charge first: give this one back.
                    self.give_back(&made.refund, &key_digest).await?;
                }
                same_refund(first, &made.request)
            }
            Err(e) => Err(failed(&key_record, e)),
        }
    }

    /// Takes a refund from a succeeded charge, within what is left, by
    /// compare-and-set; or finds the refund this key already took from it.
    async fn take_refund(&self, request: &RefundRequest, key_digest: &str) -> Result<Refund, GatewayError> {
        let record = charge_record_key(&request.charge_id).ok_or(GatewayError::UnknownCharge)?;
        for _ in 0..ATTEMPTS {
            let (mut entry, revision) = self.read::<ChargeEntry>(&record).await?.ok_or(GatewayError::UnknownCharge)?;
            if let Some(taken) = entry.refunds.iter().find(|r| r.key == key_digest) {
                return if taken.refund.amount == request.amount {
                    Ok(taken.refund.clone())
                } else {
                    Err(GatewayError::IdempotencyKeyReused)
                };
            }
            if entry.charge.status != ChargeStatus::Succeeded {
                return Err(GatewayError::ChargeNotRefundable);
            }
            if request.amount > entry.charge.amount - entry.refunded {
                return Err(GatewayError::RefundExceedsCharge);
            }
            let refund = Refund {
                id: new_id("re"),
                charge_id: request.charge_id.clone(),
                amount: request.amount,
                currency: entry.charge.currency.clone(),
            };
            entry.refunded += refund.amount;
            entry.refunds.push(AppliedRefund { key: key_digest.to_owned(), refund: refund.clone() });
            match self.records.update(&record, &entry, revision).await {
                Ok(_) => return Ok(refund),
                Err(WriteError::Conflict) => continue,
                Err(e) => return Err(failed(&record, e)),
            }
        }
        Err(contended(&record))
    }

    /// Takes a refund back out of its charge (its key went to another request).
    async fn give_back(&self, refund: &Refund, key_digest: &str) -> Result<(), GatewayError> {
        let record = charge_record_key(&refund.charge_id).ok_or(GatewayError::UnknownCharge)?;
        for _ in 0..ATTEMPTS {
            let Some((mut entry, revision)) = self.read::<ChargeEntry>(&record).await? else { return Ok(()) };
            let before = entry.refunds.len();
            entry.refunds.retain(|r| !(r.key == key_digest && r.refund.id == refund.id));
            if entry.refunds.len() == before {
                return Ok(());
            }
            entry.refunded -= refund.amount;
            match self.records.update(&record, &entry, revision).await {
                Ok(_) => return Ok(()),
                Err(WriteError::Conflict) => continue,
                Err(e) => return Err(failed(&record, e)),
            }
        }
        Err(contended(&record))
    }

    /// The record at `key` and its revision, if any.
    async fn read<T: DeserializeOwned>(&self, key: &str) -> Result<Option<(T, u64)>, GatewayError> {
        self.records.get(key).await.map_err(|e| failed(key, e))
    }

    /// The record at `key`, which a create just found there. A replica may
    /// not have it yet, so a few tries.
    async fn read_back<T: DeserializeOwned>(&self, key: &str) -> Result<T, GatewayError> {
        for _ in 0..5 {
            if let Some((value, _)) = self.read(key).await? {
                return Ok(value);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tracing::warn!(key, "the gateway simulator's record exists but cannot be read");
        Err(GatewayError::ProcessingError)
    }
}

impl Gateway for SimulatedGateway {
    fn attach<'a>(&'a self, card: &'a CardDetails) -> BoxFuture<'a, Result<String, GatewayError>> {
        let token = Behaviour::of(card.pan.digits()).token();
        async move { Ok(token) }.boxed()
    }

    fn charge<'a>(
        &'a self,
        token: &'a str,
        amount: i64,
        currency: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Charge, GatewayError>> {
        self.make_charge(token, amount, currency, key).boxed()
    }

    fn confirm<'a>(&'a self, charge_id: &'a str) -> BoxFuture<'a, Result<Charge, GatewayError>> {
        self.confirm_charge(charge_id).boxed()
    }

    fn refund<'a>(
        &'a self,
        charge_id: &'a str,
        amount: i64,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Refund, GatewayError>> {
        self.make_refund(charge_id, amount, key).boxed()
    }
}

/// The refund a used key made, if `request` is the same as the first.
fn same_refund(first: RefundKey, request: &RefundRequest) -> Result<Refund, GatewayError> {
    if first.request == *request {
        Ok(first.refund)
    } else {
        Err(GatewayError::IdempotencyKeyReused)
    }
}

/// `charge.<id>` for an id this gateway could have made (`ch_<uuid simple>`).
fn charge_record_key(charge_id: &str) -> Option<String> {
    let id = charge_id.strip_prefix("ch_")?;
    is_simple_uuid(id).then(|| format!("charge.{charge_id}"))
}

/// 32 lowercase hex digits, as [`Uuid::simple`] writes them.
fn is_simple_uuid(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The hex SHA-256 of an idempotency key: a valid KV key whatever the key holds.
fn digest(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The book could not be read or written: retryable, with the same key.
fn failed(key: &str, error: impl fmt::Display) -> GatewayError {
    tracing::warn!(key, error = %error, "the gateway simulator's book failed");
    GatewayError::ProcessingError
}

/// A compare-and-set lost every try: retryable, with the same key.
fn contended(key: &str) -> GatewayError {
    tracing::warn!(key, attempts = ATTEMPTS, "the gateway simulator's record kept changing");
    GatewayError::ProcessingError
}

/// Refuses an empty idempotency key.
fn check_key(key: &str) -> Result<(), GatewayError> {
    if key.is_empty() {
        Err(GatewayError::IdempotencyKeyMissing)
    } else {
        Ok(())
    }
}

/// Refuses an amount of zero or less.
fn check_amount(amount: i64) -> Result<(), GatewayError> {
    if amount > 0 {
        Ok(())
    } else {
        Err(GatewayError::AmountInvalid)
    }
}

/// Three ASCII letters, lowercased.
fn normalise_currency(currency: &str) -> Result<String, GatewayError> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(currency.to_ascii_lowercase())
    } else {
        Err(GatewayError::CurrencyInvalid)
    }
}

/// A new id: `<prefix>_<uuid v4, simple>`.
fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chorus_testkit::NatsServer;

    use super::*;
    use crate::cards::{check, CardInput};

    /// 2026-05-15T00:00:00Z.
    const NOW_MS: u64 = 1_778_803_200_000;

    fn card(number: &str) -> CardDetails {
        let input = CardInput { number: number.into(), exp_month: 12, exp_year: 2030, cvc: Some("123".into()) };
        check(&input, NOW_MS).unwrap()
    }

    /// One instance of the payment service's gateway: its own connection to `server`.
    async fn instance(server: &NatsServer) -> SimulatedGateway {
        let client = server.connect().await.unwrap();
        SimulatedGateway::open(&async_nats::jetstream::new(client), 1).await.unwrap()
    }

    /// A fresh server (so a fresh book) and one gateway on it; keep the server.
    async fn gateway() -> (NatsServer, SimulatedGateway) {
        let server = NatsServer::start().unwrap();
        let gateway = instance(&server).await;
        (server, gateway)
    }

    async fn attached(gateway: &impl Gateway, number: &str) -> String {
        gateway.attach(&card(number)).await.unwrap()
    }

    async fn charge_err(number: &str) -> GatewayError {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, number).await;
        let err = gateway.charge(&token, 999, "eur", "k1").await.unwrap_err();
        assert_eq!(gateway.charges().await.unwrap(), 0, "{number}");
        err
    }

    async fn succeeded(gateway: &SimulatedGateway, amount: i64) -> Charge {
        let token = attached(gateway, "4242 4242 4242 4242").await;
        gateway.charge(&token, amount, "eur", &new_id("key")).await.unwrap()
    }

    #[test]
    fn token_shape() {
        let token = Behaviour::of("4242424242424242").token();
        let hex = token.strip_prefix("tok_ok_").unwrap();
        assert!(is_simple_uuid(hex), "{token}");
        assert!(!token.contains("4242424242424242"));
        assert_ne!(token, Behaviour::of("4242424242424242").token());
    }

    #[test]
    fn tokens_carry_every_behaviour() {
        for (code, behaviour) in BEHAVIOURS {
            let token = behaviour.token();
            assert!(token.starts_with(&format!("tok_{code}_")), "{token}");
            assert_eq!(Behaviour::of_token(&token), Some(behaviour), "{token}");
        }
        for number in ["4242424242424242", "4000000000000002", "4000000000009995", "4000000000000341"] {
            let behaviour = Behaviour::of(number);
            assert_eq!(Behaviour::of_token(&behaviour.token()), Some(behaviour), "{number}");
        }
        assert!(Behaviour::of_token(&Behaviour::of("4000002760003184").token()) == Some(Behaviour::RequiresAction));
    }

    #[test]
    fn unparseable_tokens_are_unknown() {
        let hex = Uuid::new_v4().simple().to_string();
        for token in [
            String::new(),
            "tok_nope".into(),
            "tok_ok".into(),
            "tok_ok_".into(),
            "tok_ok_xyz".into(),
            format!("ok_{hex}"),
            format!("tok_bogus_{hex}"),
            format!("tok_ok_{}", hex.to_uppercase()),
            format!("tok_ok_{hex}0"),
            format!("tok_ok_{hex}_x"),
        ] {
            assert_eq!(Behaviour::of_token(&token), None, "{token}");
        }
    }

    #[tokio::test]
    async fn good_card_succeeds() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4242 4242 4242 4242").await;
        let charge = gateway.charge(&token, 999, "EUR", "k1").await.unwrap();
        assert_eq!(charge.status, ChargeStatus::Succeeded);
        assert_eq!((charge.amount, charge.currency.as_str()), (999, "eur"));
        assert!(charge.id.starts_with("ch_"));
        assert_eq!(gateway.charges().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn any_other_valid_number_succeeds() {
        let (_server, gateway) = gateway().await;
        for number in ["5555555555554444", "378282246310005", "4000056655665556"] {
            let token = attached(&gateway, number).await;
            let charge = gateway.charge(&token, 100, "usd", number).await.unwrap();
            assert_eq!(charge.status, ChargeStatus::Succeeded, "{number}");
        }
        assert_eq!(gateway.charges().await.unwrap(), 3);
    }

    #[tokio::test]
    async fn declined_card_attaches_but_every_charge_is_declined() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4000 0000 0000 0002").await;
        for key in ["k1", "k2", "k1"] {
            assert_eq!(gateway.charge(&token, 999, "eur", key).await.unwrap_err(), GatewayError::CardDeclined);
        }
        assert_eq!(gateway.charges().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn insufficient_funds() {
        assert_eq!(charge_err("4000000000009995").await, GatewayError::InsufficientFunds);
    }

    #[tokio::test]
    async fn charge_failed_after_attach() {
        assert_eq!(charge_err("4000000000000341").await, GatewayError::ChargeFailed);
    }

    #[tokio::test]
    async fn expired_card() {
        assert_eq!(charge_err("4000000000000069").await, GatewayError::ExpiredCard);
    }

    #[tokio::test]
    async fn processing_error_is_retryable() {
        let err = charge_err("4000000000000119").await;
        assert_eq!(err, GatewayError::ProcessingError);
        assert!(err.retryable());
        for other in [GatewayError::CardDeclined, GatewayError::InsufficientFunds, GatewayError::ChargeFailed] {
            assert!(!other.retryable());
        }
    }

    #[tokio::test]
    async fn three_d_secure_then_confirm() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4000 0027 6000 3184").await;
        let charge = gateway.charge(&token, 999, "eur", "k1").await.unwrap();
        assert_eq!(charge.status, ChargeStatus::RequiresAction);
        assert_eq!(gateway.refund(&charge.id, 100, "r1").await.unwrap_err(), GatewayError::ChargeNotRefundable);

        let confirmed = gateway.confirm(&charge.id).await.unwrap();
        assert_eq!(confirmed.status, ChargeStatus::Succeeded);
        assert_eq!(confirmed.id, charge.id);
        assert_eq!(gateway.confirm(&charge.id).await.unwrap(), confirmed);
        let replayed = gateway.charge(&token, 999, "eur", "k1").await.unwrap();
        assert_eq!(replayed, confirmed);
        assert_eq!(gateway.charges().await.unwrap(), 1);
        assert!(gateway.refund(&charge.id, 999, "r2").await.is_ok());
    }

    #[tokio::test]
    async fn confirm_unknown_charge() {
        let (_server, gateway) = gateway().await;
        for id in ["ch_nope", "", "ch_*", &new_id("ch")] {
            assert_eq!(gateway.confirm(id).await.unwrap_err(), GatewayError::UnknownCharge, "{id}");
        }
    }

    #[tokio::test]
    async fn same_key_twice_is_one_charge() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4242424242424242").await;
        let first = gateway.charge(&token, 999, "eur", "k1").await.unwrap();
        let second = gateway.charge(&token, 999, "EUR", "k1").await.unwrap();
        assert_eq!(first, second);
        assert_eq!(gateway.charges().await.unwrap(), 1);
        let third = gateway.charge(&token, 999, "eur", "k2").await.unwrap();
        assert_ne!(third.id, first.id);
        assert_eq!(gateway.charges().await.unwrap(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn same_key_at_once_from_many_tasks_is_one_charge() {
        let (_server, gateway) = gateway().await;
        let gateway = Arc::new(gateway);
        let token = attached(&*gateway, "4242424242424242").await;
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (gateway, token) = (Arc::clone(&gateway), token.clone());
                tokio::spawn(async move { gateway.charge(&token, 500, "eur", "once").await.unwrap() })
            })
            .collect();
        let ids: Vec<String> = futures::future::join_all(handles).await.into_iter().map(|h| h.unwrap().id).collect();
        assert!(ids.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(gateway.charges().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn same_key_different_request_is_refused() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4242424242424242").await;
        let other = attached(&gateway, "5555555555554444").await;
        let declined = attached(&gateway, "4000000000000002").await;
        gateway.charge(&token, 999, "eur", "k1").await.unwrap();
        for (t, amount, currency) in
            [(&token, 1000, "eur"), (&token, 999, "usd"), (&other, 999, "eur"), (&declined, 999, "eur")]
        {
            assert_eq!(
                gateway.charge(t, amount, currency, "k1").await.unwrap_err(),
                GatewayError::IdempotencyKeyReused
            );
        }
        assert_eq!(gateway.charges().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn failed_charge_does_not_use_up_its_key() {
        let (_server, gateway) = gateway().await;
        let failing = attached(&gateway, "4000000000000119").await;
        let good = attached(&gateway, "4242424242424242").await;
        assert!(gateway.charge(&failing, 999, "eur", "k1").await.unwrap_err().retryable());
        assert!(gateway.charge(&good, 999, "eur", "k1").await.is_ok());
    }

    #[tokio::test]
    async fn bad_requests() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4242424242424242").await;
        let cases = [
            (0, "eur", "k", GatewayError::AmountInvalid),
            (-5, "eur", "k", GatewayError::AmountInvalid),
            (5, "euro", "k", GatewayError::CurrencyInvalid),
            (5, "e1r", "k", GatewayError::CurrencyInvalid),
            (5, "eur", "", GatewayError::IdempotencyKeyMissing),
        ];
        for (amount, currency, key, error) in cases {
            assert_eq!(gateway.charge(&token, amount, currency, key).await.unwrap_err(), error);
        }
        assert_eq!(gateway.charge("tok_nope", 5, "eur", "k").await.unwrap_err(), GatewayError::UnknownCardToken);
        assert_eq!(gateway.charges().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn any_idempotency_key_is_a_valid_record_key() {
        let (_server, gateway) = gateway().await;
        let token = attached(&gateway, "4242424242424242").await;
        for key in ["a b", "x.*.>", "ключ", "$KV.chorus_payment_simulator.>"] {
            let charge = gateway.charge(&token, 100, "eur", key).await.unwrap();
            assert_eq!(gateway.charge(&token, 100, "eur", key).await.unwrap(), charge);
            assert!(gateway.refund(&charge.id, 100, key).await.is_ok());
        }
        assert_eq!(gateway.charges().await.unwrap(), 4);
    }

    #[tokio::test]
    async fn refund_in_parts_up_to_the_charge() {
        let (_server, gateway) = gateway().await;
        let charge = succeeded(&gateway, 1000).await;
        let first = gateway.refund(&charge.id, 400, "r1").await.unwrap();
        assert!(first.id.starts_with("re_"));
        assert_eq!((first.charge_id.as_str(), first.amount, first.currency.as_str()), (charge.id.as_str(), 400, "eur"));
        assert_eq!(gateway.refund(&charge.id, 601, "r2").await.unwrap_err(), GatewayError::RefundExceedsCharge);
        assert!(gateway.refund(&charge.id, 600, "r3").await.is_ok());
        assert_eq!(gateway.refund(&charge.id, 1, "r4").await.unwrap_err(), GatewayError::RefundExceedsCharge);
    }

    #[tokio::test]
    async fn refund_more_than_charged_at_once() {
        let (_server, gateway) = gateway().await;
        let charge = succeeded(&gateway, 1000).await;
        assert_eq!(gateway.refund(&charge.id, 1001, "r1").await.unwrap_err(), GatewayError::RefundExceedsCharge);
        assert!(gateway.refund(&charge.id, 1000, "r1").await.is_ok());
    }

    #[tokio::test]
    async fn refund_is_idempotent_by_key() {
        let (_server, gateway) = gateway().await;
        let charge = succeeded(&gateway, 1000).await;
        let other = succeeded(&gateway, 1000).await;
        let first = gateway.refund(&charge.id, 700, "r1").await.unwrap();
        assert_eq!(gateway.refund(&charge.id, 700, "r1").await.unwrap(), first);
        assert_eq!(gateway.refund(&charge.id, 300, "r1").await.unwrap_err(), GatewayError::IdempotencyKeyReused);
        assert_eq!(gateway.refund(&other.id, 700, "r1").await.unwrap_err(), GatewayError::IdempotencyKeyReused);
        assert_eq!(gateway.refund(&charge.id, 301, "r2").await.unwrap_err(), GatewayError::RefundExceedsCharge);
        assert!(gateway.refund(&charge.id, 300, "r2").await.is_ok());
    }

    #[tokio::test]
    async fn bad_refunds() {
        let (_server, gateway) = gateway().await;
        let charge = succeeded(&gateway, 1000).await;
        assert_eq!(gateway.refund("ch_nope", 1, "r").await.unwrap_err(), GatewayError::UnknownCharge);
        assert_eq!(gateway.refund(&new_id("ch"), 1, "r").await.unwrap_err(), GatewayError::UnknownCharge);
        assert_eq!(gateway.refund(&charge.id, 0, "r").await.unwrap_err(), GatewayError::AmountInvalid);
        assert_eq!(gateway.refund(&charge.id, -1, "r").await.unwrap_err(), GatewayError::AmountInvalid);
        assert_eq!(gateway.refund(&charge.id, 1, "").await.unwrap_err(), GatewayError::IdempotencyKeyMissing);
    }

    /// Two instances of the payment service, one provider: a token, a charge
    /// key and a charge made on one are known on the other.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_instances_share_one_book() {
        let server = NatsServer::start().unwrap();
        let (a, b) = (Arc::new(instance(&server).await), Arc::new(instance(&server).await));

        // A card attached via one is charged via the other.
        let token = attached(&*a, "4242424242424242").await;
        let charge = b.charge(&token, 999, "eur", "k1").await.unwrap();
        assert_eq!(a.charge(&token, 999, "eur", "k1").await.unwrap(), charge);
        assert_eq!(a.charge(&token, 1000, "eur", "k1").await.unwrap_err(), GatewayError::IdempotencyKeyReused);
        let declined = attached(&*b, "4000000000000002").await;
        assert_eq!(a.charge(&declined, 999, "eur", "k2").await.unwrap_err(), GatewayError::CardDeclined);
        assert_eq!((a.charges().await.unwrap(), b.charges().await.unwrap()), (1, 1));

        // The same key from both at once: one charge.
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let gateway = Arc::clone(if i % 2 == 0 { &a } else { &b });
                let token = token.clone();
                tokio::spawn(async move { gateway.charge(&token, 500, "eur", "once").await })
            })
            .collect();
        let ids: Vec<String> =
            futures::future::join_all(handles).await.into_iter().map(|h| h.unwrap().unwrap().id).collect();
        assert_eq!(ids.len(), 50);
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
        assert_ne!(ids[0], charge.id);
        assert_eq!(a.charges().await.unwrap(), 2);

        // A charge made on one is confirmed on the other, and refunded on either.
        let secure = attached(&*a, "4000002760003184").await;
        let pending = a.charge(&secure, 700, "eur", "k3").await.unwrap();
        assert_eq!(pending.status, ChargeStatus::RequiresAction);
        let confirmed = b.confirm(&pending.id).await.unwrap();
        assert_eq!(confirmed.status, ChargeStatus::Succeeded);
        assert_eq!(a.confirm(&pending.id).await.unwrap(), confirmed);
        assert_eq!(a.charge(&secure, 700, "eur", "k3").await.unwrap(), confirmed);
        let refund = b.refund(&pending.id, 700, "r1").await.unwrap();
        assert_eq!(a.refund(&pending.id, 700, "r1").await.unwrap(), refund);
        assert_eq!(a.refund(&pending.id, 1, "r2").await.unwrap_err(), GatewayError::RefundExceedsCharge);
        assert_eq!(b.charges().await.unwrap(), 3);
    }

    /// Many confirms of one charge at once, from two instances: all agree.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_confirms_agree() {
        let server = NatsServer::start().unwrap();
        let (a, b) = (Arc::new(instance(&server).await), Arc::new(instance(&server).await));
        let token = attached(&*a, "4000002760003184").await;
        let pending = a.charge(&token, 700, "eur", "k").await.unwrap();
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let gateway = Arc::clone(if i % 2 == 0 { &a } else { &b });
                let id = pending.id.clone();
                tokio::spawn(async move { gateway.confirm(&id).await })
            })
            .collect();
        for h in futures::future::join_all(handles).await {
            let charge = h.unwrap().unwrap();
            assert_eq!((charge.id.as_str(), charge.status), (pending.id.as_str(), ChargeStatus::Succeeded));
        }
    }

    /// Refunds of one charge at once, from two instances, each with its own
    /// key (retried when the book is contended): never more than the charge.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_refunds_never_exceed_the_charge() {
        let server = NatsServer::start().unwrap();
        let (a, b) = (Arc::new(instance(&server).await), Arc::new(instance(&server).await));
        let charge = succeeded(&a, 1000).await;
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let gateway = Arc::clone(if i % 2 == 0 { &a } else { &b });
                let id = charge.id.clone();
                tokio::spawn(async move {
                    loop {
                        match gateway.refund(&id, 100, &format!("r{i}")).await {
                            Err(e) if e.retryable() => continue,
                            other => return other,
                        }
                    }
                })
            })
            .collect();
        let results: Vec<_> = futures::future::join_all(handles).await.into_iter().map(|h| h.unwrap()).collect();
        let refunded: i64 = results.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.amount).sum();
        assert_eq!(refunded, 1000, "{results:?}");
        assert_eq!(results.iter().filter(|r| **r == Err(GatewayError::RefundExceedsCharge)).count(), 10);
        let (entry, _) = a.records.get::<ChargeEntry>(&format!("charge.{}", charge.id)).await.unwrap().unwrap();
        assert_eq!((entry.refunded, entry.refunds.len()), (1000, 10));
    }

    /// The same refund key from both instances at once: one refund.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_same_refund_key_at_once_is_one_refund() {
        let server = NatsServer::start().unwrap();
        let (a, b) = (Arc::new(instance(&server).await), Arc::new(instance(&server).await));
        let charge = succeeded(&a, 1000).await;
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let gateway = Arc::clone(if i % 2 == 0 { &a } else { &b });
                let id = charge.id.clone();
                tokio::spawn(async move {
                    loop {
                        match gateway.refund(&id, 300, "once").await {
                            Err(e) if e.retryable() => continue,
                            other => return other.unwrap(),
                        }
                    }
                })
            })
            .collect();
        let refunds: Vec<Refund> = futures::future::join_all(handles).await.into_iter().map(|h| h.unwrap()).collect();
        assert!(refunds.windows(2).all(|w| w[0] == w[1]), "{refunds:?}");
        let (entry, _) = a.records.get::<ChargeEntry>(&format!("charge.{}", charge.id)).await.unwrap().unwrap();
        assert_eq!((entry.refunded, entry.refunds.len()), (300, 1));
    }

    /// A crash after the key record and before the charge record: the retry
    /// (on any instance) writes the charge record and returns that charge.
    #[tokio::test]
    async fn a_key_without_its_charge_record_is_completed_by_the_retry() {
        let server = NatsServer::start().unwrap();
        let (a, b) = (instance(&server).await, instance(&server).await);
        let token = attached(&a, "4000002760003184").await;
        let request = ChargeRequest { token: token.clone(), amount: 999, currency: "eur".into() };
        let charge =
            Charge { id: new_id("ch"), status: ChargeStatus::RequiresAction, amount: 999, currency: "eur".into() };
        // What the crashed instance left: the key record only.
        a.records
            .create(&format!("key.{}", digest("k1")), &ChargeKey { request, charge: charge.clone() })
            .await
            .unwrap();
        assert_eq!(a.charges().await.unwrap(), 0);
        assert_eq!(b.confirm(&charge.id).await.unwrap_err(), GatewayError::UnknownCharge);

        assert_eq!(b.charge(&token, 999, "eur", "k1").await.unwrap(), charge);
        assert_eq!(a.charges().await.unwrap(), 1);
        assert_eq!(a.charge(&token, 999, "eur", "k1").await.unwrap(), charge);
        assert_eq!(a.confirm(&charge.id).await.unwrap().status, ChargeStatus::Succeeded);
        assert_eq!(b.charge(&token, 999, "eur", "k1").await.unwrap().status, ChargeStatus::Succeeded);
        assert_eq!(b.charges().await.unwrap(), 1);
    }

    /// A crash after the refund was taken from its charge and before its key
    /// record: the retry finds it in the charge, returns it and writes the key.
    #[tokio::test]
    async fn a_refund_without_its_key_record_is_completed_by_the_retry() {
        let server = NatsServer::start().unwrap();
        let (a, b) = (instance(&server).await, instance(&server).await);
        let charge = succeeded(&a, 1000).await;
        let request = RefundRequest { charge_id: charge.id.clone(), amount: 400 };
        // What the crashed instance left: the refund in the charge, no key record.
        let refund = a.take_refund(&request, &digest("r1")).await.unwrap();
        assert_eq!(b.refund(&charge.id, 401, "r1").await.unwrap_err(), GatewayError::IdempotencyKeyReused);
        assert_eq!(b.refund(&charge.id, 400, "r1").await.unwrap(), refund);
        assert_eq!(a.refund(&charge.id, 400, "r1").await.unwrap(), refund);
        assert_eq!(a.refund(&charge.id, 601, "r2").await.unwrap_err(), GatewayError::RefundExceedsCharge);
        let (first, _) = a.records.get::<RefundKey>(&format!("refund_key.{}", digest("r1"))).await.unwrap().unwrap();
        assert_eq!(first.refund, refund);
    }

    /// One refund key raced onto two charges: one keeps it, the other's refund
    /// is given back.
    #[tokio::test]
    async fn a_refund_key_lost_to_another_charge_gives_its_refund_back() {
        let (_server, gateway) = gateway().await;
        let (first, second) = (succeeded(&gateway, 1000).await, succeeded(&gateway, 1000).await);
        // The loser took its refund, then found the key taken by the winner.
        let lost = RefundRequest { charge_id: second.id.clone(), amount: 500 };
        let taken = gateway.take_refund(&lost, &digest("r1")).await.unwrap();
        let won = gateway.refund(&first.id, 500, "r1").await.unwrap();
        let made = RefundKey { request: lost, refund: taken };
        assert_eq!(
            gateway.records.create(&format!("refund_key.{}", digest("r1")), &made).await.unwrap_err().to_string(),
            "already exists"
        );
        gateway.give_back(&made.refund, &digest("r1")).await.unwrap();
        let (entry, _) = gateway.records.get::<ChargeEntry>(&format!("charge.{}", second.id)).await.unwrap().unwrap();
        assert_eq!((entry.refunded, entry.refunds.len()), (0, 0));
        assert_eq!(gateway.refund(&second.id, 500, "r1").await.unwrap_err(), GatewayError::IdempotencyKeyReused);
        assert_eq!(gateway.refund(&first.id, 500, "r1").await.unwrap(), won);
        assert!(gateway.refund(&second.id, 1000, "r2").await.is_ok());
    }

    #[test]
    fn codes_are_stable_and_messages_sentences() {
        let all = [
            (GatewayError::CardDeclined, "card_declined"),
            (GatewayError::InsufficientFunds, "insufficient_funds"),
            (GatewayError::ExpiredCard, "expired_card"),
            (GatewayError::ProcessingError, "processing_error"),
            (GatewayError::ChargeFailed, "charge_failed"),
            (GatewayError::UnknownCardToken, "unknown_card_token"),
            (GatewayError::AmountInvalid, "amount_invalid"),
            (GatewayError::CurrencyInvalid, "currency_invalid"),
            (GatewayError::UnknownCharge, "unknown_charge"),
            (GatewayError::ChargeNotRefundable, "charge_not_refundable"),
            (GatewayError::RefundExceedsCharge, "refund_exceeds_charge"),
            (GatewayError::IdempotencyKeyMissing, "idempotency_key_missing"),
            (GatewayError::IdempotencyKeyReused, "idempotency_key_reused"),
        ];
        for (error, code) in all {
            assert_eq!(error.code(), code);
            assert!(error.message().ends_with('.'));
            assert_eq!(error.to_string(), error.message());
        }
    }

    #[test]
    fn status_serde_snake_case() {
        assert_eq!(serde_json::to_string(&ChargeStatus::RequiresAction).unwrap(), "\"requires_action\"");
    }

    #[tokio::test]
    async fn usable_as_a_trait_object() {
        let (_server, gateway) = gateway().await;
        let gateway: Arc<dyn Gateway> = Arc::new(gateway);
        let token = gateway.attach(&card("4242424242424242")).await.unwrap();
        assert!(gateway.charge(&token, 1, "eur", "k").await.is_ok());
    }
}
