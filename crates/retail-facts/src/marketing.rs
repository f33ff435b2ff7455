//! Marketing days (`fact_marketing`, data-contract §7.12) and the last-touch [`Attribution`]
//! index over the impressions of the attribution window.
//!
//! A marketing day is a pure function of its date, so the index of any window is rebuilt from
//! the dates alone (nothing about impressions is stored in the checkpoint).

use std::sync::Arc;

use retail_patterns::{calendar, marketing};
use retail_schemas::tables::FactMarketing;
use retail_schemas::{Date, Money, Ts};

use crate::{Attribution, FactsContext, FactsError};

/// The `fact_marketing` rows of marketing day `date` in impression_id order.
pub fn marketing_day(
    ctx: &FactsContext,
    cost: &marketing::CostModel,
    date: Date,
) -> Result<Vec<FactMarketing>, FactsError> {
    let config = &ctx.config;
    let master = &ctx.master;
    let active =
        marketing::active_campaigns(ctx.seed, date, config.marketing.campaign_start_probability);
    let plan = marketing::impression_plan(
        &active,
        calendar::marketing_multiplier(date),
        config.volume.marketing_impressions_per_day,
    );
    let total_customers = master.customers.len() as i64;
    let fallback = chrono_tz::UTC;
    let draws = marketing::impressions_for_day(
        ctx.seed,
        date,
        &plan,
        total_customers,
        cost,
        |customer_id| {
            master
                .customer(customer_id)
                .and_then(|c| {
                    master
                        .geography_time_zones
                        .get((c.geography_id - 1) as usize)
                })
                .copied()
                .unwrap_or(fallback)
        },
    );
    let mut rows = Vec::with_capacity(draws.len());
    for (i, d) in draws.iter().enumerate() {
        let plan = plan
            .get(d.campaign_ordinal as usize)
            .ok_or_else(|| FactsError::Invariant("impression of an unknown campaign".into()))?;
        let customer = master.customer(d.customer_id).ok_or_else(|| {
            FactsError::Master(format!("impression customer {} unknown", d.customer_id))
        })?;
        let campaign_id = plan.campaign.id();
        rows.push(FactMarketing {
            impression_id: marketing::impression_id(date, i as u64 + 1),
            event_ts: d.event_ts,
            business_date: date,
            creative_id: plan.campaign.creative_id(d.creative),
            campaign_id,
            campaign_type: plan.campaign.campaign_type.name().to_string(),
            channel: d.channel.name().to_string(),
            customer_id: d.customer_id,
            customer_ad_id: customer.ad_id.clone(),
            device: d.device.name().to_string(),
            cost: Money(d.cost_cents),
        });
    }
    Ok(rows)
}

/// Last-touch index over the impressions of a set of marketing days (§7.12).
///
/// The touches of every customer lie in one flat array sorted by (customer, touch), so a day's
/// index costs one sort and no per-impression allocation; the ids of the winning impression are
/// read from the marketing rows only when a purchase is attributed.
pub struct AttributionIndex {
    days: Vec<Arc<Vec<FactMarketing>>>,
    /// Customer of each touch (ascending).
    customers: Vec<i64>,
    /// Touches, sorted by (customer, touch).
    touches: Vec<marketing::Touch>,
    /// (day position in `days`, row position in that day) of each touch.
    rows: Vec<(u32, u32)>,
    window_days: u32,
    dataset_start: Date,
}

impl AttributionIndex {
    /// Indexes the given marketing days (their rows); days before the dataset start are ignored
    /// because their impressions never count.
    pub fn new(days: &[Arc<Vec<FactMarketing>>], window_days: u32, dataset_start: Date) -> Self {
        let total: usize = days.iter().map(|d| d.len()).sum();
        let mut staged: Vec<(i64, marketing::Touch, u32, u32)> = Vec::with_capacity(total);
        for (day_pos, day) in days.iter().enumerate() {
            for (row_pos, row) in day.iter().enumerate() {
                if row.business_date < dataset_start {
                    continue;
                }
                let seq = row
                    .impression_id
                    .rsplit('-')
                    .next()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(0);
                let touch = marketing::Touch {
                    event_ts: row.event_ts,
                    business_date: row.business_date,
                    seq,
                };
                staged.push((row.customer_id, touch, day_pos as u32, row_pos as u32));
            }
        }
        // (customer, touch) is unique within a window except for rows repeated across days, which
        // the stable sort keeps in day order like the per-customer lists this replaces.
        staged.sort_by_key(|e| (e.0, e.1));
        Self {
            days: days.to_vec(),
            customers: staged.iter().map(|e| e.0).collect(),
            touches: staged.iter().map(|e| e.1).collect(),
            rows: staged.iter().map(|e| (e.2, e.3)).collect(),
            window_days,
            dataset_start,
        }
    }
}

impl Attribution for AttributionIndex {
    fn last_touch(&self, customer_id: i64, at: Ts) -> Option<(String, String)> {
        let lo = self.customers.partition_point(|c| *c < customer_id);
        let hi = lo + self.customers[lo..].partition_point(|c| *c == customer_id);
        let i = marketing::attribute(
            &self.touches[lo..hi],
            at,
            self.window_days,
            self.dataset_start,
        )?;
        let (day, row) = self.rows[lo + i];
        let row = &self.days[day as usize][row as usize];
        Some((row.impression_id.clone(), row.campaign_id.clone()))
    }
}
