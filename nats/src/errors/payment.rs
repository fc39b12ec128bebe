//! The payment service's error codes (subjects.md, payment).

codes! {
    /// 404: a plan id `plan.list` does not have.
    UNKNOWN_PLAN = "unknown_plan",
    /// 400: the free plan is not bought: cancel the subscription instead.
    FREE_PLAN = "free_plan",
    /// 400: no method given and none is the default.
    NO_PAYMENT_METHOD = "no_payment_method",
    /// 404: a payment method the caller does not have.
    METHOD_NOT_FOUND = "method_not_found",
    /// 409: a method that an active subscription renews with cannot be removed.
    METHOD_IN_USE = "method_in_use",
    /// 409: at most `[payment] max_methods` payment methods (10).
    TOO_MANY_METHODS = "too_many_methods",
    /// 400: a card number that is not one (digits, length, Luhn).
    INVALID_CARD_NUMBER = "invalid_card_number",
    /// 400: an expiry month outside 1 to 12, or a year that is not four digits.
    INVALID_EXPIRY = "invalid_expiry",
    /// 400: a card past its expiry.
    CARD_EXPIRED = "card_expired",
    /// 400: a CVC that is not 3 or 4 digits.
    INVALID_CVC = "invalid_cvc",
    /// 402: the card was declined.
    CARD_DECLINED = "card_declined",
    /// 402: the card has insufficient funds.
    INSUFFICIENT_FUNDS = "insufficient_funds",
    /// 402: the card has expired (the issuer says).
    EXPIRED_CARD = "expired_card",
    /// 402: the charge failed.
    CHARGE_FAILED = "charge_failed",
    /// 503: the gateway had a processing error; retry with the same key.
    PROCESSING_ERROR = "processing_error",
    /// 409: there is a subscription already (cancel it, or change plan).
    ALREADY_SUBSCRIBED = "already_subscribed",
    /// 404: no subscription to act on.
    NO_SUBSCRIPTION = "no_subscription",
    /// 409: the subscription is not in a state that allows this (resume of one not canceling, confirm of one not incomplete).
    INVALID_STATE = "invalid_state",
    /// 400: `subscription.change` to the plan the subscription is on.
    SAME_PLAN = "same_plan",
    /// 404: an invoice the caller does not have.
    INVOICE_NOT_FOUND = "invoice_not_found",
    /// 400: a refund amount of 0 or less.
    INVALID_AMOUNT = "invalid_amount",
    /// 409: a refund of more than the invoice charged, less what was refunded.
    REFUND_EXCEEDS_CHARGE = "refund_exceeds_charge",
    /// 400: a write that moves money needs a `Chorus-Idempotency-Key` header.
    IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required",
    /// 400: an idempotency key longer than 255 bytes.
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key",
    /// 422: the same idempotency key with another request.
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused",
    /// 409: the request with this idempotency key is still running; retry.
    REQUEST_IN_PROGRESS = "request_in_progress",
    /// 403: `clock.advance` where `[payment] test_clock` is off.
    TEST_CLOCK_DISABLED = "test_clock_disabled",
    /// 400: billing details past their lengths, or a country that is not two letters.
    INVALID_BILLING_DETAILS = "invalid_billing_details",
    /// 409: another write to the caller's billing changed it first; retry.
    CONFLICT = "conflict",
}
