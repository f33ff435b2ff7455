//! The day loop (data-contract §12.4): [`Generator`] runs the three phases of each day over a
//! [`WorldState`] with rayon, combining results in location-id order so the output is the same
//! for any thread count, and emits the sorted rows of that business date.
//!
//! ```
//! use std::sync::Arc;
//! use retail_config::Profile;
//! use retail_facts::{FactsContext, Generator, checkpoint_from_bytes, checkpoint_to_bytes};
//! use retail_master::{Dictionaries, MasterData};
//!
//! let config = Profile::Small.config();
//! let master = MasterData::generate(&config, &Dictionaries::bundled().unwrap()).unwrap();
//! let generator = Generator::new(FactsContext::new(Arc::new(master), Arc::new(config))).unwrap();
//! let mut state = generator.initial_state().unwrap();
//! let start = generator.context().dataset_start;
//! for day in generator.run_days(&mut state, start, start.succ()) {
//!     let (date, batch) = day.unwrap();
//!     assert!(batch.fact_receipts.iter().all(|r| r.business_date == date));
//! }
//! // Stop here; a later process continues from the checkpoint.
//! let bytes = checkpoint_to_bytes(&state).unwrap();
//! let mut restored = checkpoint_from_bytes(&bytes, generator.config_hash()).unwrap();
//! let third = generator.run_day(&mut restored, start.plus_days(2)).unwrap();
//! assert!(!third.is_empty());
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use retail_patterns::disruption::{Disruption, DisruptionSchedule, Route};
use retail_patterns::ids;
use retail_patterns::inventory::{InitialInventoryParams, ReorderPriority};
use retail_patterns::localtime::local_date_of;
use retail_patterns::logistics::{
    PlannedShipment, TruckCandidate, TruckTier, choose_truck, draw_shipment_timeline,
    planned_travel_minutes,
};
use retail_patterns::marketing::CostModel;
use retail_rng::Stream;
use retail_schemas::tables::{FactMarketing, FactReorder, FactTruckInventory, FactTruckMove};
use retail_schemas::{Date, Ts};

use crate::dc_day::{self, DayInputs};
use crate::marketing::{AttributionIndex, marketing_day};
use crate::store::StoreModels;
use crate::store_day::{StoreState, simulate_store_day};
use crate::world::{DcEventKind, PendingReorder, WorldState, assemble_day};
use crate::{FactBatch, FactsContext, FactsError, InboundDelivery, InboundLine};

/// Models built once per generator from the dimensions and the configuration.
pub(crate) struct EngineModels {
    /// Customers behind each DC node (primary store served by the DC), ascending.
    pub dc_customers: Vec<Vec<i64>>,
    /// Two-letter state of each DC (disruption targets).
    pub dc_states: Vec<String>,
    /// Two-letter state of each store.
    pub store_states: Vec<String>,
    pub disruptions: DisruptionSchedule,
    pub cost: CostModel,
    pub dc_inventory: InitialInventoryParams,
}

/// The fact generator: immutable inputs plus caches; all mutable model state lives in the
/// [`WorldState`] passed to [`Generator::run_day`].
pub struct Generator {
    ctx: FactsContext,
    models: Arc<EngineModels>,
    config_hash: String,
    marketing_cache: Mutex<BTreeMap<Date, Arc<Vec<FactMarketing>>>>,
}

fn master_err(what: String) -> FactsError {
    FactsError::Master(what)
}

impl Generator {
    /// Builds the generator (catalog, node customer lists, disruption schedule, cost model).
    pub fn new(ctx: FactsContext) -> Result<Self, FactsError> {
        let master = &ctx.master;
        let config = &ctx.config;
        for (i, p) in master.products.iter().enumerate() {
            if p.product_id != i as i64 + 1 {
                return Err(master_err("product ids are not dense 1..n".into()));
            }
        }
        // The product catalog (and its draw indexes, shared with the DC side) lives in the
        // store models: building them here validates the products up front.
        StoreModels::for_context(&ctx)?;
        let state_of_geo = |geography_id: i64| -> String {
            master
                .geography(geography_id)
                .map(|g| g.state.clone())
                .unwrap_or_default()
        };
        let dc_states = master
            .distribution_centers
            .iter()
            .map(|d| state_of_geo(d.geography_id))
            .collect();
        let store_states = master
            .stores
            .iter()
            .map(|s| state_of_geo(s.geography_id))
            .collect();
        let mut dc_customers = Vec::with_capacity(master.distribution_centers.len());
        for dc in &master.distribution_centers {
            let mut ids: Vec<i64> = master
                .stores_served_by(dc.dc_id)
                .iter()
                .flat_map(|s| master.customers_of_store(*s).iter().copied())
                .collect();
            ids.sort_unstable();
            dc_customers.push(ids);
        }
        let mut items = Vec::with_capacity(config.disruptions.len());
        for d in &config.disruptions {
            items.push(Disruption::from_parts(
                &d.kind,
                &d.target,
                &d.start,
                d.duration_hours,
                d.severity,
            )?);
        }
        let cost = CostModel::from_maps(
            &config.marketing_cost.channels,
            &config.marketing_cost.device_multipliers,
        )?;
        let v = &config.volume;
        let models = EngineModels {
            dc_customers,
            dc_states,
            store_states,
            disruptions: DisruptionSchedule::new(items),
            cost,
            dc_inventory: InitialInventoryParams {
                par_min: v.dc_initial_inventory_min as i64,
                par_max: v.dc_initial_inventory_max as i64,
                reorder_point_min: v.dc_reorder_point_min as i64,
                reorder_point_max: v.dc_reorder_point_max as i64,
            },
        };
        Ok(Self {
            config_hash: config.config_hash(),
            ctx,
            models: Arc::new(models),
            marketing_cache: Mutex::new(BTreeMap::new()),
        })
    }

    /// The generation context.
    pub fn context(&self) -> &FactsContext {
        &self.ctx
    }

    /// `config_hash` of the configuration (recorded in states and checkpoints).
    pub fn config_hash(&self) -> &str {
        &self.config_hash
    }

    /// The state at the dataset start: initial ledgers of every store and DC, idle trucks.
    pub fn initial_state(&self) -> Result<WorldState, FactsError> {
        let master = &self.ctx.master;
        let stores = master
            .stores
            .par_iter()
            .map(|s| StoreState::new(&self.ctx, s.store_id))
            .collect::<Result<Vec<_>, _>>()?;
        let dcs = master
            .distribution_centers
            .par_iter()
            .map(|d| dc_day::initial_dc_state(&self.ctx, &self.models, d.dc_id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(WorldState {
            config_hash: self.config_hash.clone(),
            dataset_start: self.ctx.dataset_start,
            next_date: self.ctx.dataset_start,
            stores,
            dcs,
            truck_available: vec![None; master.trucks.len()],
            pending_reorders: Vec::new(),
            held: Default::default(),
        })
    }

    /// Generates `date` (which must be `state.next_date`) and returns the sorted rows whose
    /// business_date is `date`; rows for later dates stay in `state`.
    pub fn run_day(&self, state: &mut WorldState, date: Date) -> Result<FactBatch, FactsError> {
        if state.config_hash != self.config_hash {
            return Err(FactsError::Continuation(format!(
                "the state was produced with config_hash {}, the configuration has {}",
                state.config_hash, self.config_hash
            )));
        }
        if date != state.next_date {
            return Err(FactsError::Continuation(format!(
                "the next date to generate is {}, not {date}",
                state.next_date
            )));
        }
        let ctx = &self.ctx;
        let models = &*self.models;
        let (attribution, marketing_rows) = self.marketing_for(date)?;
        // The stores' cached index of the day's holiday windows (the same catalog): building
        // one costs a pass over every product.
        let draw_index = StoreModels::for_context(ctx)?.draw_index(date);
        let inputs = DayInputs {
            ctx,
            models,
            attribution: &attribution,
            draw_index: &draw_index,
        };

        // Phase 1: every DC up to its planning instant, then its allocation.
        let reorders = std::mem::take(&mut state.pending_reorders);
        let mut by_dc: BTreeMap<i64, Vec<&PendingReorder>> = BTreeMap::new();
        for r in &reorders {
            by_dc.entry(r.dc_id).or_default().push(r);
        }
        let empty = Vec::new();
        let phase1 = state
            .dcs
            .par_iter_mut()
            .map(|st| {
                let tz = dc_day::dc_tz(ctx, st.dc_id)?;
                let own = by_dc.get(&st.dc_id).unwrap_or(&empty);
                let planning = dc_day::planning_instant(tz, date, own)?;
                let mut work = dc_day::start_day(ctx, models, st, date)?;
                dc_day::advance(&inputs, st, &mut work, planning)?;
                let plan = dc_day::allocate(&inputs, st, own, planning)?;
                Ok((work, plan, planning))
            })
            .collect::<Result<Vec<_>, FactsError>>()?;

        // Truck choice over DCs in dc_id order (shared pool and supplier trucks).
        let mut planning_rows = FactBatch::default();
        let mut deliveries: BTreeMap<i64, Vec<InboundDelivery>> = BTreeMap::new();
        let mut works = Vec::with_capacity(phase1.len());
        for (dc_pos, (work, plan, planning)) in phase1.into_iter().enumerate() {
            let dc_state = &mut state.dcs[dc_pos];
            self.dispatch(
                dc_state,
                date,
                planning,
                plan,
                &mut state.truck_available,
                &mut planning_rows,
                &mut deliveries,
            )?;
            works.push(work);
        }

        // Phase 2: every store's trading day.
        let store_outputs = state
            .stores
            .par_iter_mut()
            .map(|st| {
                let planned = deliveries.get(&st.store_id).map_or(&[][..], Vec::as_slice);
                simulate_store_day(ctx, st, date, planned, &attribution)
            })
            .collect::<Result<Vec<_>, FactsError>>()?;

        // Phase 3: the rest of every DC's day.
        let dc_batches = state
            .dcs
            .par_iter_mut()
            .zip(works.into_par_iter())
            .map(|(st, mut work)| {
                dc_day::finish_day(&inputs, st, &mut work)?;
                Ok(work.batch)
            })
            .collect::<Result<Vec<_>, FactsError>>()?;

        let mut parts = Vec::with_capacity(2 + store_outputs.len() + dc_batches.len());
        parts.push(FactBatch {
            fact_marketing: marketing_rows,
            ..FactBatch::default()
        });
        parts.push(planning_rows);
        let mut next_reorders = Vec::new();
        for out in store_outputs {
            for r in &out.reorders {
                next_reorders.push(pending_from(r)?);
            }
            parts.push(out.batch);
        }
        parts.extend(dc_batches);
        let mut today = assemble_day(parts, date, &mut state.held.0)?;
        today.sort();
        state.pending_reorders = next_reorders;
        state.next_date = date.succ();
        Ok(today)
    }

    /// Runs `first..=last` day by day (each item is the day's sorted batch).
    pub fn run_days<'a>(
        &'a self,
        state: &'a mut WorldState,
        first: Date,
        last: Date,
    ) -> impl Iterator<Item = Result<(Date, FactBatch), FactsError>> + 'a {
        let mut date = first;
        std::iter::from_fn(move || {
            if date > last {
                return None;
            }
            let d = date;
            date = date.succ();
            Some(self.run_day(state, d).map(|b| (d, b)))
        })
    }

    /// The attribution index for purchases on `date` and the marketing rows of `date`.
    fn marketing_for(
        &self,
        date: Date,
    ) -> Result<(AttributionIndex, Vec<FactMarketing>), FactsError> {
        let window = self.ctx.config.marketing.attribution_window_days;
        // Purchases on local day D look back window days from instants that may lie a day on
        // either side of D in a customer's zone.
        let first = date
            .plus_days(-(window as i32) - 1)
            .max(self.ctx.dataset_start);
        let last = date.succ();
        let mut needed = Vec::new();
        let mut d = first;
        while d <= last {
            needed.push(d);
            d = d.succ();
        }
        let missing: Vec<Date> = {
            let cache = self
                .marketing_cache
                .lock()
                .map_err(|_| FactsError::Invariant("marketing cache poisoned".into()))?;
            needed
                .iter()
                .copied()
                .filter(|d| !cache.contains_key(d))
                .collect()
        };
        let generated = missing
            .par_iter()
            .map(|d| marketing_day(&self.ctx, &self.models.cost, *d).map(|rows| (*d, rows)))
            .collect::<Result<Vec<_>, FactsError>>()?;
        let mut cache = self
            .marketing_cache
            .lock()
            .map_err(|_| FactsError::Invariant("marketing cache poisoned".into()))?;
        for (d, rows) in generated {
            cache.insert(d, Arc::new(rows));
        }
        cache.retain(|d, _| *d >= first);
        let days: Vec<Arc<Vec<FactMarketing>>> = needed.iter().map(|d| cache[d].clone()).collect();
        let today = cache[&date].as_ref().clone();
        Ok((
            AttributionIndex::new(&days, window, self.ctx.dataset_start),
            today,
        ))
    }

    /// §7.10 for one DC's planned shipments: truck, timeline, moves, truck inventory, the
    /// OUTBOUND loads queued at the DC and the deliveries handed to the stores.
    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &self,
        st: &mut crate::world::DcState,
        date: Date,
        planning: Ts,
        plan: Vec<PlannedShipment>,
        trucks: &mut [Option<Ts>],
        out: &mut FactBatch,
        deliveries: &mut BTreeMap<i64, Vec<InboundDelivery>>,
    ) -> Result<(), FactsError> {
        let ctx = &self.ctx;
        let master = &ctx.master;
        let models = &*self.models;
        let dc_id = st.dc_id;
        let dc_tz = dc_day::dc_tz(ctx, dc_id)?;
        let capacity = ctx.config.volume.truck_capacity;
        for (k, shipment) in plan.into_iter().enumerate() {
            let seq = k as u32 + 1;
            let candidates: Vec<TruckCandidate> = master
                .trucks
                .iter()
                .enumerate()
                .filter_map(|(i, t)| {
                    TruckTier::of(&t.fleet_type, t.home_dc_id, dc_id).map(|tier| TruckCandidate {
                        truck_id: t.truck_id,
                        refrigerated: t.refrigerated,
                        tier,
                        available_at: trucks.get(i).copied().flatten(),
                    })
                })
                .collect();
            let refrigerated = shipment.temperature_class.as_str() == "REFRIGERATED";
            let Some((truck_id, departure)) = choose_truck(&candidates, planning, refrigerated)
            else {
                // No truck can carry the class: the allocation is dropped like an unallocated
                // remainder (the store re-evaluates tomorrow).
                for l in &shipment.lines {
                    st.ledgers[(l.product_id - 1) as usize]
                        .0
                        .release(l.units as i64)
                        .map_err(|e| FactsError::Invariant(e.to_string()))?;
                }
                continue;
            };
            let store = master
                .store(shipment.store_id)
                .ok_or_else(|| master_err(format!("store {} unknown", shipment.store_id)))?;
            let store_tz = master
                .store_tz(store.store_id)
                .ok_or_else(|| master_err(format!("store {} zone", store.store_id)))?;
            let miles = master
                .dc_store_miles(dc_id, store.store_id)
                .ok_or_else(|| master_err("DC-store distance".into()))?;
            let travel = planned_travel_minutes(miles);
            let units = shipment.units();
            let mut rng = Stream::new(ctx.seed, "shipment", &[dc_id, date.0 as i64, seq as i64]);
            let mut t =
                draw_shipment_timeline(planning, departure, travel, units, capacity, &mut rng);
            if !models.disruptions.is_empty() {
                let route = Route {
                    dc_id,
                    dc_state: &models.dc_states[(dc_id - 1) as usize],
                    store_id: store.store_id,
                    store_state: &models.store_states[(store.store_id - 1) as usize],
                };
                let factor = models.disruptions.truck_delay_factor(&route, departure);
                if factor > 1.0 {
                    let actual = t.arrived.0 - t.departure.0;
                    let extra = retail_rng::round_half_away(actual as f64 * (factor - 1.0) / 1e6)
                        * Ts::MICROS_PER_SECOND;
                    t.arrived = Ts(t.arrived.0 + extra);
                    t.unloading = Ts(t.unloading.0 + extra);
                    t.completed = Ts(t.completed.0 + extra);
                    t.truck_available_at = Ts(t.truck_available_at.0 + extra);
                }
            }
            let truck_pos = master
                .trucks
                .iter()
                .position(|tr| tr.truck_id == truck_id)
                .ok_or_else(|| FactsError::Invariant("chosen truck unknown".into()))?;
            trucks[truck_pos] = Some(t.truck_available_at);
            let shipment_id = ids::shipment_id(dc_id, date, seq);
            let class = shipment.temperature_class.as_str().to_string();
            let statuses = [
                ("SCHEDULED", t.scheduled, false),
                ("LOADING", t.loading, false),
                ("IN_TRANSIT", t.departure, false),
                ("ARRIVED", t.arrived, true),
                ("UNLOADING", t.unloading, true),
                ("COMPLETED", t.completed, true),
            ];
            for (status, ts, at_store) in statuses {
                out.fact_truck_moves.push(FactTruckMove {
                    shipment_id: shipment_id.clone(),
                    status: status.into(),
                    event_ts: ts,
                    business_date: local_date_of(if at_store { store_tz } else { dc_tz }, ts),
                    truck_id,
                    dc_id,
                    store_id: store.store_id,
                    temperature_class: class.clone(),
                    units: units as i32,
                    line_count: shipment.lines.len() as i32,
                    planned_departure_ts: t.departure,
                    eta_ts: t.eta,
                    etd_ts: t.etd,
                    dwell_minutes: (status == "COMPLETED").then_some(t.dwell_minutes),
                });
            }
            let mut lines = Vec::with_capacity(shipment.lines.len());
            for l in &shipment.lines {
                for (action, ts, tz) in [
                    ("LOAD", t.loading, dc_tz),
                    ("UNLOAD", t.unloading, store_tz),
                ] {
                    out.fact_truck_inventory.push(FactTruckInventory {
                        shipment_id: shipment_id.clone(),
                        product_id: l.product_id,
                        action: action.into(),
                        event_ts: ts,
                        business_date: local_date_of(tz, ts),
                        truck_id,
                        dc_id,
                        store_id: store.store_id,
                        reorder_id: l.reorder_id.clone(),
                        quantity: l.units as i32,
                    });
                }
                let kind = DcEventKind::OutboundShipment {
                    quantity: l.units as i64,
                };
                st.queue.insert(
                    (
                        t.loading,
                        kind.rank(),
                        shipment_id.clone(),
                        None,
                        l.product_id,
                    ),
                    kind,
                );
                lines.push(InboundLine {
                    product_id: l.product_id,
                    quantity: l.units as i32,
                    reorder_id: l.reorder_id.clone(),
                });
            }
            lines.sort_by_key(|l| l.product_id);
            deliveries
                .entry(store.store_id)
                .or_default()
                .push(InboundDelivery {
                    shipment_id,
                    store_id: store.store_id,
                    unloading_ts: t.unloading,
                    lines,
                });
        }
        Ok(())
    }
}

fn pending_from(r: &FactReorder) -> Result<PendingReorder, FactsError> {
    let priority = ReorderPriority::parse(&r.priority)
        .ok_or_else(|| FactsError::Invariant(format!("reorder priority `{}`", r.priority)))?;
    Ok(PendingReorder {
        reorder_id: r.reorder_id.clone(),
        event_ts: r.event_ts,
        store_id: r.store_id,
        dc_id: r.dc_id,
        product_id: r.product_id,
        quantity: r.reorder_quantity as i64,
        priority_rank: priority.index() as u8,
    })
}
