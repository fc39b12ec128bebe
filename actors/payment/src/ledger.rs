//! The ledger: an append-only, double-entry journal of money movements on a
//! JetStream stream, in the spirit of TigerBeetle.
//!
//! Every [`Transaction`] is a set of [`Entry`] legs whose debits equal its
//! credits, in integer minor units of one currency. A transaction is stored
//! once, ever, under `chorus_payment_ledger.tx.<id simple>`: the publish
//! carries `Nats-Expected-Last-Subject-Sequence: 0`, so the server refuses a
//! second message on that subject, and the stream denies deletes and purges
//! and has no limits, so nothing written is ever lost. An account's balance
//! is its debits minus its credits; over the whole ledger they sum to zero.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use async_nats::jetstream::consumer::{pull, DeliverPolicy};
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::stream::{self, LastRawMessageErrorKind, RetentionPolicy, StorageType};
use async_nats::jetstream::{self, publish::PublishAck};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The ledger stream's name.
pub(crate) const STREAM: &str = "chorus_payment_ledger";
/// The subject prefix of transactions; the last token is the id, simple form.
const SUBJECT_PREFIX: &str = "chorus_payment_ledger.tx";
/// Money held at the payment gateway (an asset: debit increases it).
pub(crate) const CASH: &str = "gateway:cash";
/// Subscription revenue (credit increases it).
pub(crate) const REVENUE: &str = "revenue:subscriptions";
/// Refunds given, contra-revenue (debit increases it).
pub(crate) const REFUNDS: &str = "refunds";
/// How long [`Ledger::check`] waits for the next message before giving up.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The account of credit owed to `user` (a liability: credit increases it).
#[cfg_attr(not(test), allow(dead_code))] // Credits to a listener: no endpoint gives one yet.
pub(crate) fn user_credit_account(user: Uuid) -> String {
    format!("user:{user}:credit")
}

/// What a transaction records.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TxKind {
    /// A payment collected for an invoice.
    Charge,
    /// Money given back for an invoice.
    Refund,
    /// Credit granted to the user (a proration in their favour).
    Credit,
    /// A charge of a difference (a proration in our favour).
    Proration,
}

impl TxKind {
    /// How a transaction of this kind counts towards its invoice's sum
    /// charged: +1, −1, or not at all.
    fn invoice_sign(self) -> Option<i128> {
        match self {
            TxKind::Charge | TxKind::Proration => Some(1),
            TxKind::Refund => Some(-1),
            TxKind::Credit => None,
        }
    }
}

/// One leg of a transaction: a debit or a credit to one account.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The account, e.g. `gateway:cash`, `revenue:subscriptions`,
    /// `user:<uuid>:credit`, `refunds`.
    pub(crate) account: String,
    /// Amount debited, in minor units (0 when this is a credit).
    pub(crate) debit: i64,
    /// Amount credited, in minor units (0 when this is a debit).
    pub(crate) credit: i64,
}

impl Entry {
    /// A debit of `amount` to `account`.
    pub(crate) fn debit(account: impl Into<String>, amount: i64) -> Entry {
        Entry { account: account.into(), debit: amount, credit: 0 }
    }

    /// A credit of `amount` to `account`.
    pub(crate) fn credit(account: impl Into<String>, amount: i64) -> Entry {
        Entry { account: account.into(), debit: 0, credit: amount }
    }

    /// A named account, and exactly one of debit and credit, positive.
    pub(crate) fn valid(&self) -> bool {
        let one_side = (self.debit > 0 && self.credit == 0) || (self.credit > 0 && self.debit == 0);
        !self.account.is_empty() && one_side
    }
}

/// A double-entry transaction: written once, never changed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transaction {
    /// Its id; a given id is stored once, ever.
    pub(crate) id: Uuid,
    /// What it records.
    pub(crate) kind: TxKind,
    /// When it happened, milliseconds since the Unix epoch.
    pub(crate) at_ms: u64,
    /// The user it concerns.
    pub(crate) user: Uuid,
    /// The invoice it belongs to, if any.
    pub(crate) invoice: Option<u64>,
    /// The currency of every entry (e.g. `EUR`).
    pub(crate) currency: String,
    /// Its legs.
    pub(crate) entries: Vec<Entry>,
}

impl Transaction {
    /// A payment of `amount` for `invoice`: debit `gateway:cash`, credit
    /// `revenue:subscriptions`.
    pub(crate) fn charge(
        id: Uuid,
        user: Uuid,
        invoice: Option<u64>,
        amount: i64,
        currency: &str,
        at_ms: u64,
    ) -> Transaction {
        Transaction::new(id, TxKind::Charge, user, invoice, currency, at_ms).leg(CASH, REVENUE, amount)
    }

    /// Money given back: debit `refunds` (contra-revenue), credit `gateway:cash`.
    pub(crate) fn refund(
        id: Uuid,
        user: Uuid,
        invoice: Option<u64>,
        amount: i64,
        currency: &str,
        at_ms: u64,
    ) -> Transaction {
        Transaction::new(id, TxKind::Refund, user, invoice, currency, at_ms).leg(REFUNDS, CASH, amount)
    }

    /// A proration credit to the user: debit `revenue:subscriptions`,
    /// credit `user:<id>:credit`.
    #[cfg_attr(not(test), allow(dead_code))] // See `user_credit_account`.
    pub(crate) fn credit(
        id: Uuid,
        user: Uuid,
        invoice: Option<u64>,
        amount: i64,
        currency: &str,
        at_ms: u64,
    ) -> Transaction {
        let account = user_credit_account(user);
        Transaction::new(id, TxKind::Credit, user, invoice, currency, at_ms).leg(REVENUE, account, amount)
    }

    /// A charge of a difference: debit `gateway:cash`, credit
    /// `revenue:subscriptions`, like [`Transaction::charge`].
    pub(crate) fn proration(
        id: Uuid,
        user: Uuid,
        invoice: Option<u64>,
        amount: i64,
        currency: &str,
        at_ms: u64,
    ) -> Transaction {
        Transaction::new(id, TxKind::Proration, user, invoice, currency, at_ms).leg(CASH, REVENUE, amount)
    }

    /// A transaction with no entries yet.
    fn new(id: Uuid, kind: TxKind, user: Uuid, invoice: Option<u64>, currency: &str, at_ms: u64) -> Transaction {
        Transaction { id, kind, at_ms, user, invoice, currency: currency.to_string(), entries: Vec::new() }
    }

    /// Add a debit of `amount` to `debit` and a credit of `amount` to `credit`.
    fn leg(mut self, debit: impl Into<String>, credit: impl Into<String>, amount: i64) -> Transaction {
        self.entries.push(Entry::debit(debit, amount));
        self.entries.push(Entry::credit(credit, amount));
        self
    }

    /// Sum of debits equals sum of credits and is positive, every entry is
    /// valid, and the one currency is named (ASCII letters and digits).
    pub(crate) fn balanced(&self) -> bool {
        let currency = !self.currency.is_empty() && self.currency.bytes().all(|b| b.is_ascii_alphanumeric());
        let totals = self.totals();
        currency && self.entries.iter().all(Entry::valid) && matches!(totals, Some((d, c)) if d == c && d > 0)
    }

    /// The amount moved: the sum of the debits (0 if it overflows).
    pub(crate) fn amount(&self) -> i64 {
        self.totals().map_or(0, |(debits, _)| debits)
    }

    /// Sums of debits and of credits, `None` if either overflows.
    fn totals(&self) -> Option<(i64, i64)> {
        self.entries
            .iter()
            .try_fold((0i64, 0i64), |(d, c), e| Some((d.checked_add(e.debit)?, c.checked_add(e.credit)?)))
    }
}

/// What [`Ledger::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Appended {
    /// Stored now, at this stream sequence.
    Written(u64),
    /// This very transaction was already stored (a retry).
    AlreadyWritten,
}

/// An audit of the whole ledger, from [`Ledger::check`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub(crate) struct LedgerReport {
    /// Transactions decoded (balanced or not).
    pub(crate) transactions: u64,
    /// Ids of stored transactions that are not balanced (left out of the
    /// balances and invoice sums).
    pub(crate) unbalanced: Vec<Uuid>,
    /// Stream sequences of messages that are not a ledger record: not a
    /// MessagePack transaction, stored under another id's subject, or a
    /// second record for an id already seen.
    pub(crate) undecodable: Vec<u64>,
    /// Per account, debits minus credits, over balanced transactions.
    pub(crate) balances: BTreeMap<String, i64>,
    /// Per invoice, charges and prorations minus refunds.
    pub(crate) invoices: BTreeMap<u64, i64>,
    /// Per invoice, the refunds alone.
    pub(crate) refunded: BTreeMap<u64, i64>,
    /// No unbalanced, no undecodable, and the balances sum to zero.
    pub(crate) balanced: bool,
}

/// The ledger on its JetStream stream.
#[derive(Debug, Clone)]
pub(crate) struct Ledger {
    /// The JetStream context.
    js: jetstream::Context,
    /// The stream's name ([`STREAM`]).
    stream: String,
}

impl Ledger {
    /// Create the ledger stream, or get it if it exists; an existing stream
    /// whose config could lose or refuse transactions is an error.
    pub(crate) async fn open(js: jetstream::Context, replicas: usize) -> anyhow::Result<Ledger> {
        let stream = js.get_or_create_stream(stream_config(replicas)).await.context("opening the ledger stream")?;
        ensure_safe(&stream.cached_info().config)?;
        Ok(Ledger { js, stream: STREAM.to_string() })
    }

    /// Store `tx` once, awaiting the server's ack (persisted). Refuses an
    /// unbalanced transaction, and an id already used for a different one.
    pub(crate) async fn append(&self, tx: &Transaction) -> anyhow::Result<Appended> {
        if !tx.balanced() {
            bail!("transaction {} is not balanced; not written", tx.id);
        }
        match self.publish(tx).await? {
            Ok(ack) if !ack.duplicate => Ok(Appended::Written(ack.sequence)),
            // nats-server 2.15 answers a second publish on the subject with
            // 10071 (checked before Nats-Msg-Id); a server that deduplicates
            // first answers with the first ack, marked duplicate.
            Ok(_) => self.already_written(tx).await,
            Err(err) if err.kind() == PublishErrorKind::WrongLastSequence => self.already_written(tx).await,
            Err(err) => Err(err).with_context(|| format!("appending transaction {}", tx.id)),
        }
    }

    /// The stored transaction `id`, if any.
    pub(crate) async fn get(&self, id: Uuid) -> anyhow::Result<Option<Transaction>> {
        let stream = self.js.get_stream_no_info(&self.stream).await.context("getting the ledger stream")?;
        match stream.get_last_raw_message_by_subject(&tx_subject(id)).await {
            Ok(message) => decode(&message.payload).map(Some),
            Err(err) if err.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading transaction {id}")),
        }
    }

    /// Read every message of the stream and audit it.
    pub(crate) async fn check(&self) -> anyhow::Result<LedgerReport> {
        let mut stream = self.js.get_stream(&self.stream).await.context("getting the ledger stream")?;
        let last = stream.info().await.context("reading the ledger stream's info")?.state.last_sequence;
        let mut tally = Tally::default();
        if last > 0 {
            self.read_into(&stream, last, &mut tally).await?;
        }
        tally.report()
    }

    /// Publish `tx` under its subject, expecting no message there yet, and
    /// wait for the ack; the outer error is a failure to send.
    async fn publish(&self, tx: &Transaction) -> anyhow::Result<Result<PublishAck, jetstream::context::PublishError>> {
        let payload = rmp_serde::to_vec_named(tx).context("encoding a transaction")?;
        let message = PublishMessage::build()
            .payload(payload.into())
            .message_id(tx.id.to_string())
            .expected_last_subject_sequence(0);
        // Tried again while the stream has no leader (a cluster server died):
        // nothing was stored then, and the id and expected sequence keep a
        // retry from writing twice.
        Ok(chorus_state::publish_led(&self.js, tx_subject(tx.id), message).await)
    }

    /// The server holds a transaction with `tx`'s id: the same one, or an error.
    async fn already_written(&self, tx: &Transaction) -> anyhow::Result<Appended> {
        match self.get(tx.id).await? {
            Some(stored) if stored == *tx => Ok(Appended::AlreadyWritten),
            Some(_) => bail!("transaction id {} is already used by a different transaction", tx.id),
            None => bail!("transaction {} was refused but is not stored", tx.id),
        }
    }

    /// Feed messages 1..=`last` of `stream` into `tally`, with an ordered consumer.
    async fn read_into(&self, stream: &stream::Stream, last: u64, tally: &mut Tally) -> anyhow::Result<()> {
        let config = pull::OrderedConfig { deliver_policy: DeliverPolicy::All, ..Default::default() };
        let consumer = stream.create_consumer(config).await.context("creating a ledger reader")?;
        let mut messages = consumer.messages().await.context("reading the ledger")?;
        loop {
            let next =
                tokio::time::timeout(READ_TIMEOUT, messages.next()).await.context("the ledger stopped sending")?;
            let message = next.ok_or_else(|| anyhow!("the ledger ended early"))?.context("reading the ledger")?;
            let seq = message.info().map_err(|err| anyhow!("a ledger message without info: {err}"))?.stream_sequence;
            tally.record(seq, message.subject.as_str(), &message.payload);
            if seq >= last {
                return Ok(());
            }
        }
    }
}

/// The ledger stream's config: file storage, no limits, never delete.
fn stream_config(replicas: usize) -> stream::Config {
    stream::Config {
        name: STREAM.to_string(),
        subjects: vec![format!("{SUBJECT_PREFIX}.*")],
        storage: StorageType::File,
        retention: RetentionPolicy::Limits,
        num_replicas: replicas,
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
        ..Default::default()
    }
}

/// An existing ledger stream must keep everything and take our subjects.
fn ensure_safe(config: &stream::Config) -> anyhow::Result<()> {
    let keeps = config.deny_delete
        && config.deny_purge
        && config.retention == RetentionPolicy::Limits
        && config.max_messages <= 0
        && config.max_bytes <= 0
        && config.max_messages_per_subject <= 0
        && config.max_age.is_zero();
    let subjects = config.subjects.iter().any(|s| *s == format!("{SUBJECT_PREFIX}.*"));
    if !(keeps && subjects) {
        bail!("the stream {STREAM} exists with a config that could lose transactions: {config:?}");
    }
    Ok(())
}

/// The subject of transaction `id`.
fn tx_subject(id: Uuid) -> String {
    format!("{SUBJECT_PREFIX}.{}", id.simple())
}

/// A transaction from its MessagePack.
fn decode(payload: &[u8]) -> anyhow::Result<Transaction> {
    rmp_serde::from_slice(payload).context("decoding a transaction")
}

/// Running totals of [`Ledger::check`], wide enough not to overflow.
#[derive(Default)]
struct Tally {
    /// Transactions decoded.
    transactions: u64,
    /// Ids of unbalanced transactions.
    unbalanced: Vec<Uuid>,
    /// Sequences of messages that are not ledger records.
    undecodable: Vec<u64>,
    /// Ids seen so far.
    seen: BTreeSet<Uuid>,
    /// Debits minus credits per account.
    balances: BTreeMap<String, i128>,
    /// Sum charged per invoice.
    invoices: BTreeMap<u64, i128>,
    /// Sum refunded per invoice.
    refunded: BTreeMap<u64, i128>,
}

impl Tally {
    /// Count the message at `seq`.
    fn record(&mut self, seq: u64, subject: &str, payload: &[u8]) {
        match decode(payload) {
            Ok(tx) if subject == tx_subject(tx.id) && self.seen.insert(tx.id) => self.add(tx),
            _ => self.undecodable.push(seq),
        }
    }

    /// Count a decoded transaction.
    fn add(&mut self, tx: Transaction) {
        self.transactions += 1;
        if !tx.balanced() {
            self.unbalanced.push(tx.id);
            return;
        }
        for entry in &tx.entries {
            *self.balances.entry(entry.account.clone()).or_default() +=
                i128::from(entry.debit) - i128::from(entry.credit);
        }
        if let (Some(invoice), Some(sign)) = (tx.invoice, tx.kind.invoice_sign()) {
            *self.invoices.entry(invoice).or_default() += sign * i128::from(tx.amount());
        }
        if let (Some(invoice), TxKind::Refund) = (tx.invoice, tx.kind) {
            *self.refunded.entry(invoice).or_default() += i128::from(tx.amount());
        }
    }

    /// The report, or an error if a total does not fit in an i64.
    fn report(self) -> anyhow::Result<LedgerReport> {
        let total: i128 = self.balances.values().sum();
        let balanced = self.unbalanced.is_empty() && self.undecodable.is_empty() && total == 0;
        Ok(LedgerReport {
            transactions: self.transactions,
            balances: narrow(self.balances)?,
            invoices: narrow(self.invoices)?,
            refunded: narrow(self.refunded)?,
            unbalanced: self.unbalanced,
            undecodable: self.undecodable,
            balanced,
        })
    }
}

/// The same map in i64, or an error naming the first total that overflows.
fn narrow<K: Ord + std::fmt::Debug>(wide: BTreeMap<K, i128>) -> anyhow::Result<BTreeMap<K, i64>> {
    wide.into_iter()
        .map(|(key, value)| match i64::try_from(value) {
            Ok(value) => Ok((key, value)),
            Err(_) => Err(anyhow!("the total of {key:?} overflows i64")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::net::{TcpListener, TcpStream};
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::time::Instant;

    use super::*;

    /// A nats-server with JetStream on a free port, killed on drop.
    struct Server {
        /// The server process.
        child: Child,
        /// Its client port.
        port: u16,
        /// Its JetStream store.
        dir: PathBuf,
    }

    impl Server {
        /// Start `NATS_SERVER_BIN` (or `nats-server`) and wait until it accepts connections.
        fn start() -> anyhow::Result<Server> {
            let bin = std::env::var("NATS_SERVER_BIN").unwrap_or_else(|_| "nats-server".to_string());
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let dir = std::env::temp_dir().join(format!("chorus-ledger-{}", Uuid::new_v4().simple()));
            let child = Command::new(&bin)
                .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("starting {bin} (set NATS_SERVER_BIN)"))?;
            let server = Server { child, port, dir };
            let start = Instant::now();
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                anyhow::ensure!(start.elapsed() < Duration::from_secs(10), "nats-server did not start");
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(server)
        }

        /// A JetStream context on it.
        async fn js(&self) -> anyhow::Result<jetstream::Context> {
            let client = async_nats::connect(format!("nats://127.0.0.1:{}", self.port)).await?;
            Ok(jetstream::new(client))
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    /// A server and a ledger on it.
    async fn ledger() -> anyhow::Result<(Server, Ledger)> {
        let server = Server::start()?;
        let ledger = Ledger::open(server.js().await?, 1).await?;
        Ok((server, ledger))
    }

    /// How many messages the ledger stream holds.
    async fn stored(ledger: &Ledger) -> anyhow::Result<u64> {
        Ok(ledger.js.get_stream(STREAM).await?.info().await?.state.messages)
    }

    #[test]
    fn constructors_are_balanced_and_invalid_ones_are_not() {
        let (id, user) = (Uuid::new_v4(), Uuid::new_v4());
        for tx in [
            Transaction::charge(id, user, Some(1), 999, "EUR", 1),
            Transaction::refund(id, user, Some(1), 999, "EUR", 1),
            Transaction::credit(id, user, None, 5, "EUR", 1),
            Transaction::proration(id, user, Some(2), 5, "EUR", 1),
        ] {
            assert!(tx.balanced(), "{tx:?}");
        }
        assert!(!Transaction::charge(id, user, None, 0, "EUR", 1).balanced());
        assert!(!Transaction::charge(id, user, None, -5, "EUR", 1).balanced());
        assert!(!Transaction::charge(id, user, None, 5, "", 1).balanced());
        let mut both = Transaction::charge(id, user, None, 5, "EUR", 1);
        both.entries[0].credit = 5;
        both.entries[1].debit = 5;
        assert!(!both.balanced());
        let credit = Transaction::credit(id, user, None, 5, "EUR", 1);
        assert_eq!(credit.entries[1].account, format!("user:{user}:credit"));
    }

    #[test]
    fn serde_is_snake_case() -> anyhow::Result<()> {
        let tx = Transaction::proration(Uuid::new_v4(), Uuid::new_v4(), Some(3), 5, "EUR", 1);
        let json = serde_json::to_value(&tx)?;
        assert_eq!(json["kind"], "proration");
        assert_eq!(json["at_ms"], 1);
        assert_eq!(decode(&rmp_serde::to_vec_named(&tx)?)?, tx);
        Ok(())
    }

    #[tokio::test]
    async fn a_charge_appends_and_is_balanced() -> anyhow::Result<()> {
        let (_server, ledger) = ledger().await?;
        let tx = Transaction::charge(Uuid::new_v4(), Uuid::new_v4(), Some(7), 999, "EUR", 1_700_000_000_000);
        assert!(tx.balanced());
        assert_eq!(ledger.append(&tx).await?, Appended::Written(1));
        assert_eq!(ledger.get(tx.id).await?, Some(tx.clone()));
        assert_eq!(ledger.get(Uuid::new_v4()).await?, None);
        let report = ledger.check().await?;
        assert!(report.balanced, "{report:?}");
        assert_eq!(report.transactions, 1);
        Ok(())
    }

    #[tokio::test]
    async fn the_same_id_twice_is_already_written_once() -> anyhow::Result<()> {
        let (_server, ledger) = ledger().await?;
        let tx = Transaction::charge(Uuid::new_v4(), Uuid::new_v4(), Some(7), 999, "EUR", 1);
        assert_eq!(ledger.append(&tx).await?, Appended::Written(1));
        assert_eq!(ledger.append(&tx).await?, Appended::AlreadyWritten);
        assert_eq!(stored(&ledger).await?, 1);
        Ok(())
    }

    #[tokio::test]
    async fn the_same_id_without_a_msg_id_is_refused_by_the_subject_sequence() -> anyhow::Result<()> {
        // Without Nats-Msg-Id (as after the duplicate window) the server
        // still refuses a second message on the subject, with 10071.
        let (_server, ledger) = ledger().await?;
        let tx = Transaction::charge(Uuid::new_v4(), Uuid::new_v4(), Some(7), 999, "EUR", 1);
        ledger.append(&tx).await?;
        let message =
            PublishMessage::build().payload(rmp_serde::to_vec_named(&tx)?.into()).expected_last_subject_sequence(0);
        let refused = ledger.js.send_publish(tx_subject(tx.id), message).await?.await;
        let err = refused.err().context("a second message on the subject was accepted")?;
        assert_eq!(err.kind(), PublishErrorKind::WrongLastSequence);
        assert_eq!(stored(&ledger).await?, 1);
        Ok(())
    }

    #[tokio::test]
    async fn the_same_id_with_another_amount_is_an_error() -> anyhow::Result<()> {
        let (_server, ledger) = ledger().await?;
        let (id, user) = (Uuid::new_v4(), Uuid::new_v4());
        ledger.append(&Transaction::charge(id, user, Some(7), 999, "EUR", 1)).await?;
        let err = ledger.append(&Transaction::charge(id, user, Some(7), 1999, "EUR", 1)).await;
        assert!(err.is_err(), "{err:?}");
        assert_eq!(stored(&ledger).await?, 1);
        Ok(())
    }

    #[tokio::test]
    async fn an_unbalanced_transaction_is_refused_and_not_written() -> anyhow::Result<()> {
        let (_server, ledger) = ledger().await?;
        let mut tx = Transaction::charge(Uuid::new_v4(), Uuid::new_v4(), Some(7), 999, "EUR", 1);
        tx.entries[1].credit = 998;
        assert!(ledger.append(&tx).await.is_err());
        assert_eq!(stored(&ledger).await?, 0);
        assert_eq!(ledger.get(tx.id).await?, None);
        Ok(())
    }

    #[tokio::test]
    async fn check_sums_balances_and_invoices() -> anyhow::Result<()> {
        let (_server, ledger) = ledger().await?;
        let user = Uuid::new_v4();
        let txs = [
            Transaction::charge(Uuid::new_v4(), user, Some(1), 1000, "EUR", 1),
            Transaction::charge(Uuid::new_v4(), user, Some(2), 1000, "EUR", 2),
            Transaction::proration(Uuid::new_v4(), user, Some(2), 250, "EUR", 3),
            Transaction::refund(Uuid::new_v4(), user, Some(1), 400, "EUR", 4),
            Transaction::credit(Uuid::new_v4(), user, None, 100, "EUR", 5),
        ];
        for tx in &txs {
            ledger.append(tx).await?;
        }
        let report = ledger.check().await?;
        let balances = BTreeMap::from([
            (CASH.to_string(), 1000 + 1000 + 250 - 400),
            (REVENUE.to_string(), -(1000 + 1000 + 250) + 100),
            (REFUNDS.to_string(), 400),
            (user_credit_account(user), -100),
        ]);
        assert_eq!(report.balances, balances);
        assert_eq!(report.balances.values().sum::<i64>(), 0);
        assert_eq!(report.invoices, BTreeMap::from([(1, 600), (2, 1250)]));
        assert_eq!(report.transactions, 5);
        assert!(report.unbalanced.is_empty() && report.undecodable.is_empty());
        assert!(report.balanced);
        Ok(())
    }

    #[tokio::test]
    async fn check_reports_foreign_messages() -> anyhow::Result<()> {
        let (_server, ledger) = ledger().await?;
        ledger.append(&Transaction::charge(Uuid::new_v4(), Uuid::new_v4(), Some(1), 10, "EUR", 1)).await?;
        ledger.js.publish(format!("{SUBJECT_PREFIX}.junk"), "not a transaction".into()).await?.await?;
        let mut unbalanced = Transaction::charge(Uuid::new_v4(), Uuid::new_v4(), Some(1), 10, "EUR", 1);
        unbalanced.entries.pop();
        let payload = rmp_serde::to_vec_named(&unbalanced)?;
        ledger.js.publish(tx_subject(unbalanced.id), payload.into()).await?.await?;
        let report = ledger.check().await?;
        assert_eq!(report.undecodable, vec![2]);
        assert_eq!(report.unbalanced, vec![unbalanced.id]);
        assert_eq!(report.transactions, 2);
        assert!(!report.balanced);
        Ok(())
    }

    #[tokio::test]
    async fn open_again_gets_the_stream_and_refuses_an_unsafe_one() -> anyhow::Result<()> {
        let (server, ledger) = ledger().await?;
        Ledger::open(ledger.js.clone(), 1).await?;
        let info = ledger.js.get_stream(STREAM).await?.info().await?.config.clone();
        assert!(info.deny_delete && info.deny_purge && info.allow_direct);
        assert!(ledger.js.delete_stream(STREAM).await.is_ok(), "stream deletion is not message deletion");
        let js = server.js().await?;
        js.create_stream(stream::Config { deny_delete: false, ..stream_config(1) }).await?;
        assert!(Ledger::open(js, 1).await.is_err());
        Ok(())
    }
}
