//! What a listener is told when a card or a payment is refused: the
//! gateway's and the card checks' outcomes as the wire's codes.

use chorus_nats::errors::payment as codes;
use chorus_nats::{ServiceError, Status};

use crate::cards::{Brand, CardError};
use crate::gateway::GatewayError;

/// A card that did not pass the checks at the edge: 400.
pub(crate) fn card(e: CardError) -> ServiceError {
    ServiceError::bad_request(e.code(), e.message())
}

/// A payment the gateway refused: 402 for the card's answers, 503 for a
/// processing error (retry with the same key); anything else is our fault.
pub(crate) fn payment(e: GatewayError) -> crate::Fail {
    let (status, code) = match e {
        GatewayError::CardDeclined => (Status::PaymentRequired, codes::CARD_DECLINED),
        GatewayError::InsufficientFunds => (Status::PaymentRequired, codes::INSUFFICIENT_FUNDS),
        GatewayError::ExpiredCard => (Status::PaymentRequired, codes::EXPIRED_CARD),
        GatewayError::ChargeFailed => (Status::PaymentRequired, codes::CHARGE_FAILED),
        GatewayError::ProcessingError => (Status::Unavailable, codes::PROCESSING_ERROR),
        other => return crate::Fail::Crash(anyhow::anyhow!("the gateway refused: {}", other.message())),
    };
    ServiceError::new(status, code, e.message()).into()
}

/// As listed to the listener.
pub(crate) fn brand(b: Brand) -> &'static str {
    match b {
        Brand::Visa => "visa",
        Brand::Mastercard => "mastercard",
        Brand::Amex => "amex",
        Brand::Discover => "discover",
        Brand::Unknown => "unknown",
    }
}
