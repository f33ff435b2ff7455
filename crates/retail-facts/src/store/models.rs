//! Per-run models of the store side, built once per (master data, configuration) pair and
//! shared by every store-day: the product catalog and its holiday draw indexes, per-product
//! prices and tax shares, per-store customer choosers and hours, and the configuration knobs.
//!
//! [`StoreModels::for_context`] caches the models process-wide, keyed by the identity of the
//! context's `Arc<MasterData>` and `Arc<Config>` (the cache keeps weak references, so an address
//! can never be reused while its entry exists).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use retail_config::Config;
use retail_master::MasterData;
use retail_patterns::basket::{
    BasketCategory, CatalogProduct, CustomerChooser, DrawIndex, HolidayWindows, ProductCatalog,
    ShopperSegment, StoreFormat, visit_weight,
};
use retail_patterns::calendar::{HolidayKey, parse_closed_holidays};
use retail_patterns::inventory::InitialInventoryParams;
use retail_patterns::returns::ReturnParams;
use retail_patterns::sensors::AnonKey;
use retail_rng::Stream;
use retail_schemas::Date;

use crate::{FactsContext, FactsError};

/// What the store day needs to know about one store, precomputed.
#[derive(Clone, Debug)]
pub struct StoreModel {
    /// `store_id`.
    pub store_id: i64,
    /// Serving DC.
    pub dc_id: i64,
    /// Home geography (weather).
    pub geography_id: i64,
    /// Format.
    pub format: StoreFormat,
    /// Local opening minute.
    pub open_minute: u32,
    /// Local closing minute (1440 = 24:00).
    pub close_minute: u32,
    /// Open around the clock.
    pub all_day: bool,
    /// `tax_rate_bps`.
    pub tax_rate_bps: i32,
    /// `daily_traffic_multiplier`.
    pub traffic_multiplier: f64,
    /// Two-stage visit customer draw (§7.5).
    pub chooser: CustomerChooser,
    /// f_s: share of all customers whose primary store is this store (§7.11).
    pub customer_share: f64,
}

/// Models shared by every store-day of a run.
pub struct StoreModels {
    /// Product catalog of the basket engine.
    pub catalog: ProductCatalog,
    draw_indexes: Mutex<BTreeMap<HolidayWindows, Arc<DrawIndex>>>,
    /// `sale_price_cents` per product (index product_id − 1).
    pub unit_price_cents: Vec<i64>,
    /// taxability_pct per product.
    pub taxability_pct: Vec<i64>,
    /// Basket category per product.
    pub basket_category: Vec<BasketCategory>,
    /// Launch date per product.
    pub launch_date: Vec<Date>,
    /// Per store (index store_id − 1).
    pub stores: Vec<StoreModel>,
    /// Closure holidays (`calendar.closed_holidays`).
    pub closed: Vec<HolidayKey>,
    /// Feistel key of anonymous BLE ids.
    pub anon_key: AnonKey,
    /// `returns.*`.
    pub returns: ReturnParams,
    /// Store initial-inventory knobs.
    pub inventory: InitialInventoryParams,
    /// `volume.customers_per_day`.
    pub customers_per_day: f64,
    /// `volume.online_orders_per_day`.
    pub online_orders_per_day: f64,
    /// `online.mode_shares` SHIP_FROM_STORE and BOPIS.
    pub store_mode_shares: [f64; 2],
    /// `online.cancel_rate`.
    pub cancel_rate: f64,
    /// `supply.cycle_count_store_share`.
    pub cycle_count_share: f64,
    /// Shopper segment per customer.
    pub customer_segments: Vec<ShopperSegment>,
}

struct CacheEntry {
    master: Weak<MasterData>,
    config: Weak<Config>,
    models: Arc<StoreModels>,
}

fn cache() -> &'static Mutex<Vec<CacheEntry>> {
    static CACHE: OnceLock<Mutex<Vec<CacheEntry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

impl StoreModels {
    /// The models of this context, built on first use and cached for the context's lifetime.
    pub fn for_context(ctx: &FactsContext) -> Result<Arc<StoreModels>, FactsError> {
        let mut entries = cache()
            .lock()
            .map_err(|_| FactsError::Invariant("store model cache poisoned".into()))?;
        entries.retain(|e| e.master.strong_count() > 0 && e.config.strong_count() > 0);
        if let Some(e) = entries.iter().find(|e| {
            std::ptr::eq(e.master.as_ptr(), Arc::as_ptr(&ctx.master))
                && std::ptr::eq(e.config.as_ptr(), Arc::as_ptr(&ctx.config))
        }) {
            return Ok(e.models.clone());
        }
        let models = Arc::new(StoreModels::new(ctx)?);
        entries.push(CacheEntry {
            master: Arc::downgrade(&ctx.master),
            config: Arc::downgrade(&ctx.config),
            models: models.clone(),
        });
        Ok(models)
    }

    /// Builds the models (prefer [`StoreModels::for_context`], which caches them).
    pub fn new(ctx: &FactsContext) -> Result<StoreModels, FactsError> {
        let m = &*ctx.master;
        let c = &*ctx.config;
        let mut products = Vec::with_capacity(m.products.len());
        for (i, p) in m.products.iter().enumerate() {
            let popularity = *m.product_popularity.get(i).ok_or_else(|| {
                FactsError::Master(format!("no popularity for product {}", p.product_id))
            })?;
            products.push(CatalogProduct::from_dim_product(p, popularity)?);
        }
        let catalog = ProductCatalog::new(products)?;
        let unit_price_cents = m.products.iter().map(|p| p.sale_price.cents()).collect();
        let taxability_pct = m.product_taxability.iter().map(|t| t.pct()).collect();
        let basket_category = m.product_basket_categories.clone();
        let launch_date = m.products.iter().map(|p| p.launch_date).collect();
        for (i, p) in m.products.iter().enumerate() {
            if p.product_id != i as i64 + 1 {
                return Err(FactsError::Master(format!(
                    "dim_products is not dense: row {i} has product_id {}",
                    p.product_id
                )));
            }
        }
        let total_customers = m.customers.len().max(1) as f64;
        // One copy of each group's members, shared by the choosers of every store (each store
        // holding its own copy of all customer ids cost ≈ 3 MB per store at default scale).
        let shared_groups: Vec<std::sync::Arc<[i64]>> = m
            .customer_groups
            .iter()
            .map(|g| {
                let mut ids = g.customer_ids.clone();
                ids.sort_unstable();
                std::sync::Arc::from(ids)
            })
            .collect();
        let mut stores = Vec::with_capacity(m.stores.len());
        for (i, s) in m.stores.iter().enumerate() {
            if s.store_id != i as i64 + 1 {
                return Err(FactsError::Master(format!(
                    "dim_stores is not dense: row {i} has store_id {}",
                    s.store_id
                )));
            }
            let groups = m
                .customer_groups
                .iter()
                .zip(&shared_groups)
                .map(|(g, members)| {
                    let (primary, secondary) = m
                        .nearest_stores
                        .get((g.geography_id - 1) as usize)
                        .copied()
                        .unwrap_or((0, None));
                    let miles = m
                        .geo_store_miles(g.geography_id, s.store_id)
                        .unwrap_or(f64::MAX);
                    let w = visit_weight(
                        primary == s.store_id,
                        secondary == Some(s.store_id),
                        g.mobility,
                        miles,
                    );
                    (w, members.clone())
                })
                .collect();
            let format = *m
                .store_formats
                .get(i)
                .ok_or_else(|| FactsError::Master(format!("no format for store {}", s.store_id)))?;
            let (open, close) = (s.open_minute.max(0) as u32, s.close_minute.max(0) as u32);
            stores.push(StoreModel {
                store_id: s.store_id,
                dc_id: s.dc_id,
                geography_id: s.geography_id,
                format,
                open_minute: open,
                close_minute: close,
                all_day: open == 0 && close == 1440,
                tax_rate_bps: s.tax_rate_bps,
                traffic_multiplier: s.daily_traffic_multiplier,
                chooser: CustomerChooser::with_shared_groups(groups),
                customer_share: m.customers_of_store(s.store_id).len() as f64 / total_customers,
            });
        }
        let closed = parse_closed_holidays(&c.calendar.closed_holidays)?;
        let anon_key = AnonKey::from_stream(&mut Stream::new(ctx.seed, "anon_key", &[]));
        let v = &c.volume;
        Ok(StoreModels {
            catalog,
            draw_indexes: Mutex::new(BTreeMap::new()),
            unit_price_cents,
            taxability_pct,
            basket_category,
            launch_date,
            stores,
            closed,
            anon_key,
            returns: ReturnParams {
                rate: c.returns.rate,
                holiday_rate_multiplier: c.returns.holiday_rate_multiplier,
                min_lag_days: c.returns.min_lag_days,
                max_lag_days: c.returns.max_lag_days,
                line_return_probability: c.returns.line_return_probability,
            },
            inventory: InitialInventoryParams {
                par_min: v.store_initial_inventory_min as i64,
                par_max: v.store_initial_inventory_max as i64,
                reorder_point_min: v.store_reorder_point_min as i64,
                reorder_point_max: v.store_reorder_point_max as i64,
            },
            customers_per_day: v.customers_per_day as f64,
            online_orders_per_day: v.online_orders_per_day as f64,
            store_mode_shares: [
                c.online.mode_shares.SHIP_FROM_STORE,
                c.online.mode_shares.BOPIS,
            ],
            cancel_rate: c.online.cancel_rate,
            cycle_count_share: c.supply.cycle_count_store_share,
            customer_segments: m.customer_shopper_segments.clone(),
        })
    }

    /// The product draw index of a date's holiday windows (built once per distinct window set).
    pub fn draw_index(&self, date: Date) -> Arc<DrawIndex> {
        let windows = HolidayWindows::on(date);
        let mut map = match self.draw_indexes.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(windows)
            .or_insert_with(|| Arc::new(self.catalog.draw_index(windows)))
            .clone()
    }

    /// The model of a store.
    pub fn store(&self, store_id: i64) -> Result<&StoreModel, FactsError> {
        usize::try_from(store_id - 1)
            .ok()
            .and_then(|i| self.stores.get(i))
            .ok_or_else(|| FactsError::Master(format!("unknown store {store_id}")))
    }
}
