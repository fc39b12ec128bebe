//! The payment service: plans, payment methods, subscriptions, invoices.

use super::Endpoint;
use crate::messages::payment::{
    BillingDetails, BillingGet, ClockAdvance, ClockReply, Invoice, InvoiceGet, InvoiceList, InvoicePage, LedgerCheck,
    LedgerReport, MethodAdd, MethodDefault, MethodList, MethodRemove, PaymentMethod, PaymentMethods, PlanList, Plans,
    RefundCreate, RefundReply, Subscription, SubscriptionCancel, SubscriptionChange, SubscriptionConfirm,
    SubscriptionCreate, SubscriptionGet, SubscriptionReply, SubscriptionResume, SubscriptionView,
};
use crate::messages::Empty;

/// Service name and queue group.
pub const SERVICE: &str = "payment";

endpoints! {
    /// `chorus.payment.v1.plan.list`: the plans on offer and their prices.
    plan_list: plan.list, Public, PlanList => Plans;
    /// `chorus.payment.v1.method.add`: keep a card (checked, tokenised, never stored).
    method_add: method.add, Authenticated, MethodAdd => PaymentMethod;
    /// `chorus.payment.v1.method.list`: the caller's payment methods.
    method_list: method.list, Authenticated, MethodList => PaymentMethods;
    /// `chorus.payment.v1.method.remove`: forget a payment method.
    method_remove: method.remove, Authenticated, MethodRemove => Empty;
    /// `chorus.payment.v1.method.default`: the method renewals charge.
    method_default: method.default, Authenticated, MethodDefault => PaymentMethod;
    /// `chorus.payment.v1.subscription.create`: subscribe to a plan, paying its first period.
    subscription_create: subscription.create, Authenticated, SubscriptionCreate => SubscriptionReply;
    /// `chorus.payment.v1.subscription.get`: the caller's subscription and entitlement.
    subscription_get: subscription.get, Authenticated, SubscriptionGet => SubscriptionView;
    /// `chorus.payment.v1.subscription.cancel`: end it at the period's end, or now.
    subscription_cancel: subscription.cancel, Authenticated, SubscriptionCancel => Subscription;
    /// `chorus.payment.v1.subscription.resume`: undo a cancel at the period's end.
    subscription_resume: subscription.resume, Authenticated, SubscriptionResume => Subscription;
    /// `chorus.payment.v1.subscription.change`: another plan, prorated now (upgrade) or at the period's end (downgrade).
    subscription_change: subscription.change, Authenticated, SubscriptionChange => SubscriptionReply;
    /// `chorus.payment.v1.subscription.confirm`: the listener confirmed an incomplete subscription's payment.
    subscription_confirm: subscription.confirm, Authenticated, SubscriptionConfirm => SubscriptionReply;
    /// `chorus.payment.v1.billing.get`: who the caller's invoices are made out to.
    billing_get: billing.get, Authenticated, BillingGet => BillingDetails;
    /// `chorus.payment.v1.billing.update`: change them (new invoices only).
    billing_update: billing.update, Authenticated, BillingDetails => BillingDetails;
    /// `chorus.payment.v1.invoice.list`: the caller's invoices, newest first.
    invoice_list: invoice.list, Authenticated, InvoiceList => InvoicePage;
    /// `chorus.payment.v1.invoice.get`: one of the caller's invoices.
    invoice_get: invoice.get, Authenticated, InvoiceGet => Invoice;
    /// `chorus.payment.v1.refund.create`: refund (part of) an invoice (admin).
    refund_create: refund.create, Admin, RefundCreate => RefundReply;
    /// `chorus.payment.v1.ledger.check`: verify every transaction and invoice (admin).
    ledger_check: ledger.check, Admin, LedgerCheck => LedgerReport;
    /// `chorus.payment.v1.clock.advance`: move the test clock forward (admin, `[payment] test_clock`).
    clock_advance: clock.advance, Admin, ClockAdvance => ClockReply;
}
