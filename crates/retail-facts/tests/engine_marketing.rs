//! Marketing days and attribution: data-contract §13 #35 and #36.
mod engine_support;

use std::collections::BTreeMap;

use engine_support::*;
use retail_facts::Generator;
use retail_patterns::{calendar, marketing};
use retail_schemas::Ts;

#[test]
fn impressions_respect_caps_campaigns_and_customers() {
    let ctx = small_context();
    let generator = Generator::new(ctx.clone()).unwrap();
    let (batches, _) = run(&generator, 3);
    let base = ctx.config.volume.marketing_impressions_per_day;
    for b in &batches {
        let date = b.fact_marketing[0].business_date;
        assert!(b.fact_marketing.iter().all(|m| m.business_date == date));
        let cap = marketing::day_cap(calendar::marketing_multiplier(date), base);
        assert!(b.fact_marketing.len() as u64 <= cap, "#35 cap");
        let active = marketing::active_campaigns(
            ctx.seed,
            date,
            ctx.config.marketing.campaign_start_probability,
        );
        let mut per: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for m in &b.fact_marketing {
            let c = active
                .iter()
                .find(|c| c.id() == m.campaign_id)
                .expect("#35 campaign active");
            assert!(m.creative_id.starts_with(&format!("{}-C", m.campaign_id)));
            let k: u32 = m.creative_id.rsplit("-C").next().unwrap().parse().unwrap();
            assert!((1..=c.creatives).contains(&k));
            let customer = ctx.master.customer(m.customer_id).unwrap();
            assert_eq!(m.customer_ad_id, customer.ad_id, "#35 ad id");
            assert!(m.cost.0 >= 1);
            *per.entry((&m.campaign_id, &m.channel)).or_default() += 1;
        }
        // Every campaign but the one truncated by the cap gets ≥ 100 per channel.
        let truncated = per.values().filter(|n| **n < 100).count();
        assert!(truncated <= 2, "{per:?}");
        let mut ids: Vec<&str> = b
            .fact_marketing
            .iter()
            .map(|m| m.impression_id.as_str())
            .collect();
        ids.dedup();
        assert_eq!(ids.len(), b.fact_marketing.len());
    }
}

#[test]
fn purchases_carry_the_last_touch_of_the_window() {
    let ctx = small_context();
    let window = ctx.config.marketing.attribution_window_days as i64;
    let generator = Generator::new(ctx.clone()).unwrap();
    let days = 6;
    let all = merged(&run(&generator, days).0);
    let last = ctx.dataset_start.plus_days(days - 1);
    let mut touches: BTreeMap<i64, Vec<(Ts, &str, &str)>> = BTreeMap::new();
    for m in &all.fact_marketing {
        touches.entry(m.customer_id).or_default().push((
            m.event_ts,
            &m.impression_id,
            &m.campaign_id,
        ));
    }
    let expected = |customer: i64, t: Ts| -> Option<(String, String)> {
        touches
            .get(&customer)?
            .iter()
            .filter(|(ts, _, _)| ts.0 >= t.0 - window * 86_400_000_000 && *ts <= t)
            .max_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)))
            .map(|(_, i, c)| (i.to_string(), c.to_string()))
    };
    let mut attributed = 0;
    let mut checked = 0;
    for o in all
        .fact_online_order_headers
        .iter()
        .filter(|o| o.business_date < last)
    {
        let got = o
            .attributed_impression_id
            .clone()
            .zip(o.attributed_campaign_id.clone());
        assert_eq!(
            got,
            expected(o.customer_id, o.event_ts),
            "#36 {}",
            o.order_id
        );
        attributed += got.is_some() as usize;
        checked += 1;
    }
    for r in all.fact_receipts.iter().filter(|r| r.business_date < last) {
        let got = r
            .attributed_impression_id
            .clone()
            .zip(r.attributed_campaign_id.clone());
        if r.receipt_type == "RETURN" {
            assert_eq!(got, None, "#36 returns carry no attribution");
            continue;
        }
        let customer = r.customer_id;
        assert_eq!(got, expected(customer, r.event_ts), "#36 {}", r.receipt_id);
        attributed += got.is_some() as usize;
        checked += 1;
    }
    assert!(
        checked > 100 && attributed > 0,
        "{checked} purchases, {attributed} attributed"
    );
}
