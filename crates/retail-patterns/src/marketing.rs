//! Marketing campaigns, ad impressions and last-touch attribution (data-contract §7.12, §5.13).
//!
//! Campaigns are pure functions of their start date (stream `campaign_day(date)`), so the
//! campaigns running on any day — including those started up to 30 days before a dataset's
//! first day — are known without generating earlier days. A marketing day's impressions are
//! likewise pure functions of the date (stream `impression(date, campaign ordinal, i)`), which
//! lets attribution look back over any window.
//!
//! ```
//! use retail_patterns::calendar;
//! use retail_patterns::marketing::{self, CostModel};
//! use retail_patterns::localtime::parse_tz;
//! use retail_schemas::Date;
//! let day = Date::from_ymd(2024, 3, 6).unwrap();
//! let active = marketing::active_campaigns(42, day, 0.9);
//! assert!(!active.is_empty());
//! let plan = marketing::impression_plan(&active, calendar::marketing_multiplier(day), 8_950);
//! let total: u64 = plan.iter().map(|p| p.count).sum();
//! assert_eq!(total, 8_950); // steady state: the day cap binds
//! let tz = parse_tz("America/Chicago").unwrap();
//! let rows = marketing::impressions_for_day(42, day, &plan, 1_000, &CostModel::default(), |_| tz);
//! assert_eq!(rows.len(), 8_950);
//! ```

use std::collections::BTreeMap;

use chrono::Datelike;
use chrono_tz::Tz;
use retail_rng::{Stream, round_half_away};
use retail_schemas::{Date, Ts};

use crate::PatternsError;
use crate::demand::OnlineDayCurve;

/// Campaign types of §7.12, in the order of the type-weight table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CampaignType {
    /// FACEBOOK, GOOGLE, EMAIL; 7 days; 1 000 impressions/day.
    SeasonalSale,
    /// INSTAGRAM, YOUTUBE, DISPLAY; 14 days; 2 000/day.
    ProductLaunch,
    /// EMAIL, SOCIAL; 30 days; 500/day.
    LoyaltyProgram,
    /// SOCIAL, SEARCH; 1 day; 5 000/day.
    FlashSale,
}

impl CampaignType {
    /// All types in table order.
    pub const ALL: [CampaignType; 4] = [
        CampaignType::SeasonalSale,
        CampaignType::ProductLaunch,
        CampaignType::LoyaltyProgram,
        CampaignType::FlashSale,
    ];

    /// Upper-case name (`SEASONAL_SALE`).
    pub fn name(self) -> &'static str {
        match self {
            CampaignType::SeasonalSale => "SEASONAL_SALE",
            CampaignType::ProductLaunch => "PRODUCT_LAUNCH",
            CampaignType::LoyaltyProgram => "LOYALTY_PROGRAM",
            CampaignType::FlashSale => "FLASH_SALE",
        }
    }

    /// Channels, in the order impressions are split over them.
    pub fn channels(self) -> &'static [MarketingChannel] {
        use MarketingChannel::*;
        match self {
            CampaignType::SeasonalSale => &[Facebook, Google, Email],
            CampaignType::ProductLaunch => &[Instagram, Youtube, Display],
            CampaignType::LoyaltyProgram => &[Email, Social],
            CampaignType::FlashSale => &[Social, Search],
        }
    }

    /// Days the campaign runs (start .. start + duration − 1).
    pub fn duration_days(self) -> i32 {
        match self {
            CampaignType::SeasonalSale => 7,
            CampaignType::ProductLaunch => 14,
            CampaignType::LoyaltyProgram => 30,
            CampaignType::FlashSale => 1,
        }
    }

    /// Planned impressions per day before the marketing multiplier.
    pub fn daily_impressions(self) -> u64 {
        match self {
            CampaignType::SeasonalSale => 1_000,
            CampaignType::ProductLaunch => 2_000,
            CampaignType::LoyaltyProgram => 500,
            CampaignType::FlashSale => 5_000,
        }
    }

    /// Type weights of a start month: Nov–Dec 3/1/2/4, Aug–Sep 2/3/1/2, else 1/1/1/1.
    pub fn weights_for_month(month: u32) -> [f64; 4] {
        match month {
            11 | 12 => [3.0, 1.0, 2.0, 4.0],
            8 | 9 => [2.0, 3.0, 1.0, 2.0],
            _ => [1.0, 1.0, 1.0, 1.0],
        }
    }
}

/// Longest campaign duration: campaigns started this many days before a date may still run.
pub const MAX_CAMPAIGN_DAYS: i32 = 30;

/// Advertising channels (`fact_marketing.channel`), in the contract's column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarketingChannel {
    /// FACEBOOK
    Facebook,
    /// GOOGLE
    Google,
    /// INSTAGRAM
    Instagram,
    /// YOUTUBE
    Youtube,
    /// EMAIL
    Email,
    /// DISPLAY
    Display,
    /// SEARCH
    Search,
    /// SOCIAL
    Social,
}

impl MarketingChannel {
    /// All channels in contract order.
    pub const ALL: [MarketingChannel; 8] = [
        MarketingChannel::Facebook,
        MarketingChannel::Google,
        MarketingChannel::Instagram,
        MarketingChannel::Youtube,
        MarketingChannel::Email,
        MarketingChannel::Display,
        MarketingChannel::Search,
        MarketingChannel::Social,
    ];

    /// Upper-case name (`FACEBOOK`), also the `marketing_cost.channels` key.
    pub fn name(self) -> &'static str {
        match self {
            MarketingChannel::Facebook => "FACEBOOK",
            MarketingChannel::Google => "GOOGLE",
            MarketingChannel::Instagram => "INSTAGRAM",
            MarketingChannel::Youtube => "YOUTUBE",
            MarketingChannel::Email => "EMAIL",
            MarketingChannel::Display => "DISPLAY",
            MarketingChannel::Search => "SEARCH",
            MarketingChannel::Social => "SOCIAL",
        }
    }

    /// Parses an upper-case channel name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Default cost range in cents per impression (§7.12).
    pub fn default_cost_cents(self) -> (i64, i64) {
        match self {
            MarketingChannel::Email => (10, 25),
            MarketingChannel::Display => (50, 200),
            MarketingChannel::Social => (75, 300),
            MarketingChannel::Search => (100, 500),
            MarketingChannel::Facebook => (25, 300),
            MarketingChannel::Google => (100, 500),
            MarketingChannel::Instagram => (20, 300),
            MarketingChannel::Youtube => (150, 525),
        }
    }
}

/// Impression devices, in draw-weight order MOBILE .6, DESKTOP .3, TABLET .1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Device {
    /// MOBILE
    Mobile,
    /// DESKTOP
    Desktop,
    /// TABLET
    Tablet,
}

impl Device {
    /// All devices in weight order.
    pub const ALL: [Device; 3] = [Device::Mobile, Device::Desktop, Device::Tablet];
    /// Draw weights in [`Device::ALL`] order.
    pub const WEIGHTS: [f64; 3] = [0.6, 0.3, 0.1];

    /// Upper-case name (`MOBILE`).
    pub fn name(self) -> &'static str {
        match self {
            Device::Mobile => "MOBILE",
            Device::Desktop => "DESKTOP",
            Device::Tablet => "TABLET",
        }
    }

    /// Default cost multiplier: MOBILE 1.0, DESKTOP 1.5, TABLET 1.2.
    pub fn default_cost_multiplier(self) -> f64 {
        match self {
            Device::Mobile => 1.0,
            Device::Desktop => 1.5,
            Device::Tablet => 1.2,
        }
    }
}

/// Impression cost parameters (`marketing_cost`).
#[derive(Clone, Debug, PartialEq)]
pub struct CostModel {
    /// `[min, max]` cents per impression, indexed like [`MarketingChannel::ALL`].
    pub channel_cents: [(i64, i64); 8],
    /// Multipliers indexed like [`Device::ALL`].
    pub device_multipliers: [f64; 3],
}

impl Default for CostModel {
    fn default() -> Self {
        Self {
            channel_cents: MarketingChannel::ALL.map(|c| c.default_cost_cents()),
            device_multipliers: Device::ALL.map(|d| d.default_cost_multiplier()),
        }
    }
}

impl CostModel {
    /// From the configuration's maps (channel name → `[min, max]` cents, device name →
    /// multiplier). Every channel and device must be present with 0 ≤ min ≤ max and
    /// multiplier > 0; unknown names are errors.
    pub fn from_maps(
        channels: &BTreeMap<String, [i64; 2]>,
        devices: &BTreeMap<String, f64>,
    ) -> Result<Self, PatternsError> {
        let mut model = CostModel::default();
        for name in channels.keys() {
            if MarketingChannel::parse(name).is_none() {
                return Err(PatternsError::InvalidParameter {
                    name: "marketing_cost.channels",
                    value: name.clone(),
                    rule: "unknown channel",
                });
            }
        }
        for (i, channel) in MarketingChannel::ALL.into_iter().enumerate() {
            let [min, max] =
                *channels
                    .get(channel.name())
                    .ok_or_else(|| PatternsError::InvalidParameter {
                        name: "marketing_cost.channels",
                        value: channel.name().to_string(),
                        rule: "all 8 channels must be present",
                    })?;
            if min < 0 || min > max {
                return Err(PatternsError::InvalidParameter {
                    name: "marketing_cost.channels",
                    value: format!("{}: [{min}, {max}]", channel.name()),
                    rule: "0 ≤ min ≤ max",
                });
            }
            model.channel_cents[i] = (min, max);
        }
        for name in devices.keys() {
            if !Device::ALL.iter().any(|d| d.name() == name) {
                return Err(PatternsError::InvalidParameter {
                    name: "marketing_cost.device_multipliers",
                    value: name.clone(),
                    rule: "unknown device",
                });
            }
        }
        for (i, device) in Device::ALL.into_iter().enumerate() {
            let m = *devices
                .get(device.name())
                .ok_or_else(|| PatternsError::InvalidParameter {
                    name: "marketing_cost.device_multipliers",
                    value: device.name().to_string(),
                    rule: "MOBILE, DESKTOP and TABLET must be present",
                })?;
            if !(m > 0.0 && m.is_finite()) {
                return Err(PatternsError::InvalidParameter {
                    name: "marketing_cost.device_multipliers",
                    value: format!("{}: {m}", device.name()),
                    rule: "each multiplier must be > 0",
                });
            }
            model.device_multipliers[i] = m;
        }
        Ok(model)
    }

    /// Cost of one impression: `max(1, round_half_away(U(min, max) × device multiplier))`
    /// using one `f64` draw of `stream`.
    pub fn draw_cost(&self, stream: &mut Stream, channel: MarketingChannel, device: Device) -> i64 {
        let (min, max) = self.channel_cents[channel as usize];
        let base = stream.uniform(min as f64, max as f64);
        round_half_away(base * self.device_multipliers[device as usize]).max(1)
    }
}

/// A campaign (identified by its start date; at most one campaign starts per date, n = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Campaign {
    /// Start date (first active day).
    pub start: Date,
    /// n-th campaign started that day (always 1 under §7.12).
    pub number: u32,
    /// Campaign type.
    pub campaign_type: CampaignType,
    /// Number of creatives, U{2..6}.
    pub creatives: u32,
}

impl Campaign {
    /// `CMP-{start yyyymmdd}-{n:02}`.
    pub fn id(&self) -> String {
        format!("CMP-{}-{:02}", self.start.yyyymmdd(), self.number)
    }

    /// `{campaign_id}-C{k:02}` for creative `k` (1-based).
    pub fn creative_id(&self, k: u32) -> String {
        format!("{}-C{k:02}", self.id())
    }

    /// Last active day.
    pub fn end(&self) -> Date {
        self.start.plus_days(self.campaign_type.duration_days() - 1)
    }

    /// Whether the campaign runs on `date`.
    pub fn is_active(&self, date: Date) -> bool {
        self.start <= date && date <= self.end()
    }

    /// Channels of the campaign's type.
    pub fn channels(&self) -> &'static [MarketingChannel] {
        self.campaign_type.channels()
    }
}

/// The campaign starting on `date`, if any. Stream `campaign_day(date)`: Bernoulli(p) start,
/// then (only if started) the type by the start month's weights, then creatives U{2..6}.
pub fn campaign_started_on(seed: u64, date: Date, start_probability: f64) -> Option<Campaign> {
    let mut stream = Stream::new(seed, "campaign_day", &[date.0 as i64]);
    if !stream.bernoulli(start_probability) {
        return None;
    }
    let weights = CampaignType::weights_for_month(date.to_naive().month());
    let campaign_type = CampaignType::ALL[stream.categorical(&weights).unwrap_or(0)];
    let creatives = stream.range_inclusive(2, 6) as u32;
    Some(Campaign {
        start: date,
        number: 1,
        campaign_type,
        creatives,
    })
}

/// The campaigns running on `date`, in campaign_id (start date) order: those started during the
/// 30 days up to and including `date` whose duration covers it.
pub fn active_campaigns(seed: u64, date: Date, start_probability: f64) -> Vec<Campaign> {
    (1 - MAX_CAMPAIGN_DAYS..=0)
        .filter_map(|offset| campaign_started_on(seed, date.plus_days(offset), start_probability))
        .filter(|c| c.is_active(date))
        .collect()
}

/// One campaign's share of a marketing day.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignPlan {
    /// The campaign.
    pub campaign: Campaign,
    /// Position among the day's active campaigns (0-based, campaign_id order): the `campaign
    /// ordinal` coordinate of the `impression` stream.
    pub ordinal: u32,
    /// Impressions it wanted: max(100 × channels, int(daily × marketing multiplier)).
    pub want: u64,
    /// Impressions it gets after the day cap.
    pub count: u64,
    /// `count` split evenly over the channels in channel order, remainder to the first ones.
    pub per_channel: Vec<(MarketingChannel, u64)>,
}

impl CampaignPlan {
    /// Channel of impression `i` (0-based): the channels take consecutive blocks of the
    /// campaign's impressions in channel order. `None` when `i ≥ count`.
    pub fn channel_of(&self, i: u64) -> Option<MarketingChannel> {
        let mut upto = 0;
        for (channel, n) in &self.per_channel {
            upto += n;
            if i < upto {
                return Some(*channel);
            }
        }
        None
    }
}

/// The day cap: max(min(1 000, base), int(base × clamp(marketing multiplier, 0.5, 2.0))).
pub fn day_cap(marketing_multiplier: f64, impressions_per_day: u64) -> u64 {
    let scaled = (impressions_per_day as f64 * marketing_multiplier.clamp(0.5, 2.0)) as u64;
    impressions_per_day.min(1_000).max(scaled)
}

/// The impression plan of a marketing day: every active campaign in order with its want; the
/// campaigns take their want until the day cap is exhausted (the last truncated, later ones 0).
pub fn impression_plan(
    active: &[Campaign],
    marketing_multiplier: f64,
    impressions_per_day: u64,
) -> Vec<CampaignPlan> {
    let mut left = day_cap(marketing_multiplier, impressions_per_day);
    active
        .iter()
        .enumerate()
        .map(|(ordinal, campaign)| {
            let channels = campaign.channels();
            let daily = campaign.campaign_type.daily_impressions();
            let want =
                (100 * channels.len() as u64).max((daily as f64 * marketing_multiplier) as u64);
            let count = want.min(left);
            left -= count;
            let k = channels.len() as u64;
            let per_channel = channels
                .iter()
                .enumerate()
                .map(|(j, c)| (*c, count / k + u64::from((j as u64) < count % k)))
                .collect();
            CampaignPlan {
                campaign: *campaign,
                ordinal: ordinal as u32,
                want,
                count,
                per_channel,
            }
        })
        .collect()
}

/// The random part of one impression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImpressionDraw {
    /// Campaign ordinal of the day ([`CampaignPlan::ordinal`]).
    pub campaign_ordinal: u32,
    /// Draw index `i` within the campaign's impressions of the day.
    pub draw_index: u64,
    /// Channel ([`CampaignPlan::channel_of`]).
    pub channel: MarketingChannel,
    /// Targeted customer, uniform over 1..=total_customers.
    pub customer_id: i64,
    /// Creative number k (1-based), uniform over the campaign's creatives.
    pub creative: u32,
    /// Device.
    pub device: Device,
    /// Cost in cents (≥ 1).
    pub cost_cents: i64,
    /// Instant on the customer-local marketing day, from the online hour curve.
    pub event_ts: Ts,
}

/// Draws impression `i` of a planned campaign on marketing day `date`. Stream
/// `impression(date, campaign ordinal, i)`; draws in order: customer U{1..total_customers},
/// creative U{1..creatives}, device (MOBILE .6 / DESKTOP .3 / TABLET .1), cost (one `f64`),
/// instant. `draw_instant(customer_id, stream)` makes the instant draw on the customer-local
/// marketing day, normally [`OnlineDayCurve::draw`] of the customer's zone.
/// `None` when `i` is beyond the plan or there are no customers.
pub fn draw_impression(
    seed: u64,
    date: Date,
    plan: &CampaignPlan,
    i: u64,
    total_customers: i64,
    cost: &CostModel,
    draw_instant: impl FnOnce(i64, &mut Stream) -> Ts,
) -> Option<ImpressionDraw> {
    let channel = plan.channel_of(i)?;
    if total_customers < 1 {
        return None;
    }
    let mut stream = Stream::new(
        seed,
        "impression",
        &[date.0 as i64, plan.ordinal as i64, i as i64],
    );
    let customer_id = stream.range_inclusive(1, total_customers);
    let creative = stream.range_inclusive(1, plan.campaign.creatives.max(1) as i64) as u32;
    let device = Device::ALL[stream.categorical(&Device::WEIGHTS).unwrap_or(0)];
    let cost_cents = cost.draw_cost(&mut stream, channel, device);
    let event_ts = draw_instant(customer_id, &mut stream);
    Some(ImpressionDraw {
        campaign_ordinal: plan.ordinal,
        draw_index: i,
        channel,
        customer_id,
        creative,
        device,
        cost_cents,
        event_ts,
    })
}

/// All impressions of marketing day `date` for a plan, sorted in `impression_id` order
/// (event_ts, campaign_id, draw index); the `seq` of `IMP-{yyyymmdd}-{seq:07}` is the 1-based
/// position in the returned vector. `tz_of(customer_id)` gives the customer's time zone; the
/// hour curve of each zone is built once.
pub fn impressions_for_day(
    seed: u64,
    date: Date,
    plan: &[CampaignPlan],
    total_customers: i64,
    cost: &CostModel,
    mut tz_of: impl FnMut(i64) -> Tz,
) -> Vec<ImpressionDraw> {
    let mut curves: BTreeMap<&'static str, OnlineDayCurve> = BTreeMap::new();
    let mut out = Vec::with_capacity(plan.iter().map(|p| p.count as usize).sum());
    for campaign in plan {
        for i in 0..campaign.count {
            let draw = draw_impression(
                seed,
                date,
                campaign,
                i,
                total_customers,
                cost,
                |customer, stream| {
                    let tz = tz_of(customer);
                    curves
                        .entry(tz.name())
                        .or_insert_with(|| OnlineDayCurve::new(tz, date))
                        .draw(stream)
                },
            );
            out.extend(draw);
        }
    }
    out.sort_by_key(|d| (d.event_ts, d.campaign_ordinal, d.draw_index));
    out
}

/// `IMP-{yyyymmdd}-{seq:07}`.
pub fn impression_id(date: Date, seq: u64) -> String {
    format!("IMP-{}-{seq:07}", date.yyyymmdd())
}

/// What attribution needs to know of one impression of a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Touch {
    /// Impression instant.
    pub event_ts: Ts,
    /// Marketing day (customer-local date) of the impression.
    pub business_date: Date,
    /// The impression's seq within its day (the number in its impression_id).
    pub seq: u64,
}

/// Last-touch attribution (§7.12): among `touches` (one customer's impressions sorted by
/// `event_ts`), the candidates lie in `[purchase − window_days × 86 400 s, purchase]` and have
/// `business_date ≥ dataset_start`; the winner has the greatest `event_ts`, ties going to the
/// greatest impression_id, i.e. the greatest (business_date, seq). Returns the winner's index.
pub fn attribute(
    touches: &[Touch],
    purchase_ts: Ts,
    window_days: u32,
    dataset_start: Date,
) -> Option<usize> {
    let from = Ts(purchase_ts.0 - window_days as i64 * Ts::MICROS_PER_DAY);
    let lo = touches.partition_point(|t| t.event_ts < from);
    let hi = touches.partition_point(|t| t.event_ts <= purchase_ts);
    (lo..hi)
        .filter(|&i| touches[i].business_date >= dataset_start)
        .max_by_key(|&i| {
            let t = touches[i];
            (t.event_ts, t.business_date, t.seq)
        })
}
