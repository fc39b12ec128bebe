//! Invoices, numbered without gaps: each is one message of the stream
//! `chorus_payment_invoices`, and its number is that message's sequence. A
//! number exists only once its invoice is stored, and nothing is ever
//! deleted (`deny_delete`, `deny_purge`), so 1, 2, 3, ... has no holes. A
//! retried issue of the same invoice (same id, within the duplicate window)
//! gets the first one's number back.

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use chorus_nats::messages::payment::{Invoice, InvoiceLine};
use chorus_nats::Encoding;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::records::{INVOICES, INVOICES_SUBJECT};

/// How long a second issue of one invoice id is recognised.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(2 * 3600);

/// An invoice as stored: everything but its number, which is its sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Draft {
    pub(crate) id: Uuid,
    pub(crate) user: Uuid,
    pub(crate) subscription: Uuid,
    pub(crate) amount: i64,
    pub(crate) currency: String,
    pub(crate) lines: Vec<InvoiceLine>,
    pub(crate) charge: String,
    pub(crate) issued_at: u64,
    #[serde(default)]
    pub(crate) bill_to: chorus_nats::messages::payment::BillingDetails,
}

impl Draft {
    /// The invoice with its number.
    pub(crate) fn numbered(self, number: u64) -> Invoice {
        let Draft { id, user, subscription, amount, currency, lines, charge, issued_at, bill_to } = self;
        Invoice { number, id, user, subscription, amount, currency, lines, charge, issued_at, bill_to }
    }
}

/// The invoices stream.
pub(crate) struct Invoices {
    js: jetstream::Context,
}

impl Invoices {
    /// Create the stream, or get it.
    pub(crate) async fn open(js: jetstream::Context, replicas: usize) -> anyhow::Result<Self> {
        let config = stream::Config {
            name: INVOICES.into(),
            subjects: vec![INVOICES_SUBJECT.into()],
            num_replicas: replicas.max(1),
            duplicate_window: DUPLICATE_WINDOW,
            deny_delete: true,
            deny_purge: true,
            description: Some("Chorus invoices: the sequence is the invoice number".into()),
            ..Default::default()
        };
        js.get_or_create_stream(config).await.context("opening the invoices stream")?;
        Ok(Self { js })
    }

    /// Store `draft` and give it its number (the first one's, for a repeat).
    pub(crate) async fn issue(&self, draft: Draft) -> anyhow::Result<Invoice> {
        let payload = Encoding::MsgPack.encode(&draft).context("encoding an invoice")?;
        let publish = PublishMessage::build().payload(payload).message_id(draft.id.to_string());
        // Led: while the stream elects a leader the publish reaches no one
        // (a 500 and a worker restart in the fault suite's cluster scenario);
        // the message id makes a repeat land once.
        let ack = chorus_state::publish_led(&self.js, INVOICES_SUBJECT.into(), publish)
            .await
            .context("issuing an invoice")?;
        Ok(draft.numbered(ack.sequence))
    }

    /// Invoice `number`, if issued.
    pub(crate) async fn get(&self, number: u64) -> anyhow::Result<Option<Invoice>> {
        let stream = self.js.get_stream_no_info(INVOICES).await.context("getting the invoices stream")?;
        match stream.get_raw_message(number).await {
            Ok(message) => {
                let draft: Draft = Encoding::MsgPack.decode(&message.payload).context("decoding an invoice")?;
                Ok(Some(draft.numbered(number)))
            }
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading invoice {number}")),
        }
    }

    /// Every invoice's number and amount, read in one pass (an ordered
    /// consumer), for the audit: a gap in the numbers shows as a missing one.
    pub(crate) async fn amounts(&self) -> anyhow::Result<Vec<(u64, i64)>> {
        use futures::StreamExt as _;
        let mut stream = self.js.get_stream(INVOICES).await.context("getting the invoices stream")?;
        let last = stream.info().await.context("reading the invoices stream")?.state.last_sequence;
        let mut out = Vec::with_capacity(last as usize);
        if last == 0 {
            return Ok(out);
        }
        let config = async_nats::jetstream::consumer::pull::OrderedConfig {
            deliver_policy: async_nats::jetstream::consumer::DeliverPolicy::All,
            ..Default::default()
        };
        let mut messages = stream.create_consumer(config).await?.messages().await.context("reading invoices")?;
        while let Some(message) = tokio::time::timeout(Duration::from_secs(10), messages.next()).await? {
            let message = message.context("reading invoices")?;
            let seq = message.info().map_err(|e| anyhow::anyhow!("an invoice without info: {e}"))?.stream_sequence;
            let draft: Draft = Encoding::MsgPack.decode(&message.payload).context("decoding an invoice")?;
            out.push((seq, draft.amount));
            if seq >= last {
                break;
            }
        }
        Ok(out)
    }
}

/// Invoices a page holds unless asked otherwise, and at most.
const PAGE: chorus_host::paging::PageSize = chorus_host::paging::PageSize { default: 20, max: 100 };

/// `invoice.list`: the caller's invoices, newest first.
pub(crate) async fn list(
    p: &crate::state::Payment,
    ctx: &chorus_host::RequestCtx,
    req: chorus_nats::messages::payment::InvoiceList,
) -> Result<chorus_nats::messages::payment::InvoicePage, chorus_host::Fail> {
    let limit = PAGE.of(req.limit)?;
    let before = chorus_host::paging::cursor(req.cursor.as_deref(), |c| c.parse::<u64>().ok())?;
    let customer = p.customer(ctx.caller()?.sub).await?;
    let numbers: Vec<u64> =
        customer.invoices.iter().rev().copied().filter(|n| before.is_none_or(|b| *n < b)).take(limit + 1).collect();
    let more = numbers.len() > limit;
    let mut invoices = Vec::new();
    for n in numbers.into_iter().take(limit) {
        if let Some(invoice) = p.invoices.get(n).await? {
            invoices.push(invoice);
        }
    }
    let next = more.then(|| invoices.last().map(|i| i.number.to_string())).flatten();
    Ok(chorus_nats::messages::payment::InvoicePage { invoices, next })
}

/// `invoice.get`: one of the caller's invoices (another's is not found).
pub(crate) async fn get(
    p: &crate::state::Payment,
    ctx: &chorus_host::RequestCtx,
    number: u64,
) -> Result<Invoice, chorus_host::Fail> {
    let user = ctx.caller()?.sub;
    let not_found = || {
        chorus_nats::ServiceError::not_found(
            chorus_nats::errors::payment::INVOICE_NOT_FOUND,
            format!("no invoice {number}"),
        )
    };
    match p.invoices.get(number).await? {
        Some(invoice) if invoice.user == user => Ok(invoice),
        _ => Err(not_found().into()),
    }
}
