//! Payments (data-contract §7.8): tender mixes, the decline model, processing times, timing of
//! earlier attempts and refunds.
//!
//! Draw order of [`draw_charge_attempts`]: tender (one `f64`); then per attempt k = 1, 2, 3:
//! processing time `U{min..max}`, the decline Bernoulli (only when its p > 0), and when declined
//! the reason `U{0..6}` and the next tender (one `f64` over the mix without the declined
//! tender); finally one gap `U{3 000..20 000}` ms per earlier attempt, from the last declined
//! attempt back to the first.

use retail_rng::Stream;
use retail_schemas::Ts;

use crate::ids::journey_enum;

journey_enum! {
    /// Sales channel (`channel` columns).
    Channel {
        /// In store.
        Store => "STORE",
        /// Online order.
        Online => "ONLINE",
    }
}

journey_enum! {
    /// `fact_payments.tender_type`.
    TenderType {
        /// Credit card.
        CreditCard => "CREDIT_CARD",
        /// Debit card.
        DebitCard => "DEBIT_CARD",
        /// Cash (store only, never declines).
        Cash => "CASH",
        /// Mobile wallet (store only).
        MobilePay => "MOBILE_PAY",
        /// PayPal (online only).
        Paypal => "PAYPAL",
        /// Gift card (online only).
        GiftCard => "GIFT_CARD",
    }
}

journey_enum! {
    /// `fact_payments.payment_type`.
    PaymentType {
        /// A charge attempt.
        Charge => "CHARGE",
        /// A refund.
        Refund => "REFUND",
    }
}

journey_enum! {
    /// `fact_payments.status`.
    PaymentStatus {
        /// Approved.
        Approved => "APPROVED",
        /// Declined.
        Declined => "DECLINED",
    }
}

journey_enum! {
    /// `fact_payments.decline_reason` (uniform over the 7 values).
    DeclineReason {
        /// Insufficient funds.
        InsufficientFunds => "INSUFFICIENT_FUNDS",
        /// Card expired.
        CardExpired => "CARD_EXPIRED",
        /// Invalid CVV.
        InvalidCvv => "INVALID_CVV",
        /// Network error.
        NetworkError => "NETWORK_ERROR",
        /// Fraud suspected.
        FraudSuspected => "FRAUD_SUSPECTED",
        /// Card blocked.
        CardBlocked => "CARD_BLOCKED",
        /// Limit exceeded.
        LimitExceeded => "LIMIT_EXCEEDED",
    }
}

/// Base decline probability of an attempt (§7.8).
pub const BASE_DECLINE_RATE: f64 = 0.025;

impl TenderType {
    /// §7.8 tender decline multiplier: CREDIT_CARD 1.0, DEBIT_CARD 0.8, CASH 0, MOBILE_PAY 1.2,
    /// PAYPAL 1.1, GIFT_CARD 0.5.
    pub fn decline_multiplier(self) -> f64 {
        match self {
            TenderType::CreditCard => 1.0,
            TenderType::DebitCard => 0.8,
            TenderType::Cash => 0.0,
            TenderType::MobilePay => 1.2,
            TenderType::Paypal => 1.1,
            TenderType::GiftCard => 0.5,
        }
    }

    /// §7.8 processing-time range in ms (inclusive).
    pub fn processing_ms_range(self) -> (u32, u32) {
        match self {
            TenderType::Cash => (500, 2_000),
            TenderType::CreditCard => (1_500, 4_000),
            TenderType::DebitCard => (1_200, 3_500),
            TenderType::MobilePay => (800, 2_500),
            TenderType::Paypal => (2_000, 5_000),
            TenderType::GiftCard => (1_000, 3_000),
        }
    }

    /// Draws a processing time `U{min..max}` ms.
    pub fn draw_processing_ms(self, rng: &mut Stream) -> u32 {
        let (a, b) = self.processing_ms_range();
        rng.range_inclusive(a as i64, b as i64) as u32
    }
}

/// §7.8 tender mix of a channel, in listed order.
pub fn tender_mix(channel: Channel) -> &'static [(TenderType, f64)] {
    match channel {
        Channel::Store => &[
            (TenderType::CreditCard, 0.40),
            (TenderType::DebitCard, 0.30),
            (TenderType::Cash, 0.20),
            (TenderType::MobilePay, 0.10),
        ],
        Channel::Online => &[
            (TenderType::CreditCard, 0.60),
            (TenderType::DebitCard, 0.25),
            (TenderType::Paypal, 0.10),
            (TenderType::GiftCard, 0.05),
        ],
    }
}

/// Draws a tender from the channel mix, giving `excluded` weight 0 (one `f64`).
pub fn draw_tender(channel: Channel, excluded: Option<TenderType>, rng: &mut Stream) -> TenderType {
    let mix = tender_mix(channel);
    let weights: Vec<f64> = mix
        .iter()
        .map(|(t, w)| if Some(*t) == excluded { 0.0 } else { *w })
        .collect();
    mix[rng.categorical(&weights).unwrap_or(0)].0
}

/// §7.8 decline probability of attempt `attempt` (1-based): 0.025 × tender multiplier; attempt
/// 3 (and later) never declines; CASH never declines.
pub fn decline_probability(tender: TenderType, attempt: u32) -> f64 {
    if attempt >= 3 {
        0.0
    } else {
        BASE_DECLINE_RATE * tender.decline_multiplier()
    }
}

/// One `fact_payments` row's model values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentAttempt {
    /// CHARGE or REFUND.
    pub payment_type: PaymentType,
    /// 1..3 for charges, 1 for refunds.
    pub attempt_number: u32,
    /// Tender.
    pub tender: TenderType,
    /// Charge: purchase total (> 0); refund: negative.
    pub amount_cents: i64,
    /// APPROVED / DECLINED.
    pub status: PaymentStatus,
    /// Set iff DECLINED.
    pub decline_reason: Option<DeclineReason>,
    /// Processing time.
    pub processing_time_ms: u32,
    /// Instant.
    pub event_ts: Ts,
}

/// Charge attempts of a purchase (§7.8): 0–2 DECLINED then exactly one APPROVED at `purchase_ts`,
/// earlier attempts strictly earlier. Each attempt is charged `total_cents`.
pub fn draw_charge_attempts(
    channel: Channel,
    total_cents: i64,
    purchase_ts: Ts,
    rng: &mut Stream,
) -> Vec<PaymentAttempt> {
    let mut attempts = Vec::with_capacity(3);
    let mut tender = draw_tender(channel, None, rng);
    for attempt in 1..=3u32 {
        let processing_time_ms = tender.draw_processing_ms(rng);
        let p = decline_probability(tender, attempt);
        let declined = p > 0.0 && rng.bernoulli(p);
        let mut row = PaymentAttempt {
            payment_type: PaymentType::Charge,
            attempt_number: attempt,
            tender,
            amount_cents: total_cents,
            status: PaymentStatus::Approved,
            decline_reason: None,
            processing_time_ms,
            event_ts: purchase_ts,
        };
        if !declined {
            attempts.push(row);
            break;
        }
        row.status = PaymentStatus::Declined;
        row.decline_reason =
            Some(DeclineReason::ALL[rng.below(DeclineReason::ALL.len() as u64) as usize]);
        attempts.push(row);
        tender = draw_tender(channel, Some(tender), rng);
    }
    // Earlier attempt k: ts(k + 1) − processing(k + 1) − U{3 000..20 000} ms.
    for k in (0..attempts.len().saturating_sub(1)).rev() {
        let next = attempts[k + 1];
        let gap_ms = rng.range_inclusive(3_000, 20_000);
        attempts[k].event_ts =
            Ts(next.event_ts.0 - (next.processing_time_ms as i64 + gap_ms) * 1_000);
    }
    attempts
}

/// A refund (§7.8): APPROVED REFUND, attempt 1, of `amount_cents` (negative) at `ts` with the
/// original approved tender; its processing time is one `U{min..max}` draw.
pub fn draw_refund(
    tender: TenderType,
    amount_cents: i64,
    ts: Ts,
    rng: &mut Stream,
) -> PaymentAttempt {
    PaymentAttempt {
        payment_type: PaymentType::Refund,
        attempt_number: 1,
        tender,
        amount_cents,
        status: PaymentStatus::Approved,
        decline_reason: None,
        processing_time_ms: tender.draw_processing_ms(rng),
        event_ts: ts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_follow_invariant_12() {
        let ts = Ts(1_709_700_000_000_000);
        let mut declines = 0;
        let mut multi = 0;
        for i in 0..20_000 {
            let mut rng = Stream::new(1, "visit", &[i]);
            let channel = if i % 2 == 0 {
                Channel::Store
            } else {
                Channel::Online
            };
            let attempts = draw_charge_attempts(channel, 4_321, ts, &mut rng);
            let last = attempts.last().unwrap();
            assert_eq!(last.status, PaymentStatus::Approved);
            assert_eq!(last.event_ts, ts);
            assert!(attempts.len() <= 3);
            for (k, a) in attempts.iter().enumerate() {
                assert_eq!(a.attempt_number, k as u32 + 1);
                assert_eq!(a.amount_cents, 4_321);
                assert!(tender_mix(channel).iter().any(|(t, _)| *t == a.tender));
                let (lo, hi) = a.tender.processing_ms_range();
                assert!((lo..=hi).contains(&a.processing_time_ms));
                if k + 1 < attempts.len() {
                    assert_eq!(a.status, PaymentStatus::Declined);
                    assert!(a.decline_reason.is_some());
                    assert_ne!(a.tender, TenderType::Cash);
                    assert_ne!(a.tender, attempts[k + 1].tender, "redrawn without it");
                    assert!(a.event_ts < attempts[k + 1].event_ts);
                    declines += 1;
                } else {
                    assert!(a.decline_reason.is_none());
                }
            }
            if attempts.len() == 3 {
                multi += 1;
            }
        }
        // Store: .025 × (.4 + .3×.8 + .1×1.2) = .019; online: .025 × (.6 + .25×.8 + .1×1.1 + .05×.5) = .023375.
        let rate = declines as f64 / 20_000.0;
        assert!((0.017..0.025).contains(&rate), "{rate}");
        assert!(multi < 40, "{multi}");
    }

    #[test]
    fn cash_and_third_attempts_never_decline() {
        assert_eq!(decline_probability(TenderType::Cash, 1), 0.0);
        assert_eq!(decline_probability(TenderType::CreditCard, 3), 0.0);
        assert_eq!(decline_probability(TenderType::MobilePay, 2), 0.03);
        let mut rng = Stream::new(2, "t", &[]);
        for _ in 0..500 {
            assert_ne!(
                draw_tender(Channel::Store, Some(TenderType::Cash), &mut rng),
                TenderType::Cash
            );
        }
        let r = draw_refund(TenderType::Paypal, -999, Ts(5), &mut rng);
        assert_eq!(r.payment_type, PaymentType::Refund);
        assert_eq!(
            (r.amount_cents, r.event_ts, r.attempt_number),
            (-999, Ts(5), 1)
        );
        assert_eq!(r.status, PaymentStatus::Approved);
    }
}
