//! The rows one generation step produces, one vector per fact table.

use std::cmp::Ordering;

use retail_schemas::Row;
use retail_schemas::tables::*;

/// Visits each fact table's rows with a generic callback (the tables have different row types).
pub trait TableVisitor {
    /// Error the visitor may return.
    type Error;
    /// Called once per fact table, in contract order.
    fn visit<R: Row + Sync>(&mut self, rows: &[R]) -> Result<(), Self::Error>;
}

macro_rules! fact_batch {
    ($($field:ident : $ty:ty),* $(,)?) => {
        /// Rows of the 18 fact tables produced by one step (a day, or a slice of one).
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct FactBatch {
            $(
                #[doc = concat!("Rows of `", stringify!($field), "`.")]
                pub $field: Vec<$ty>,
            )*
        }

        impl FactBatch {
            /// Moves every row of `other` into `self`.
            pub fn append(&mut self, mut other: FactBatch) {
                $( self.$field.append(&mut other.$field); )*
            }

            /// Total number of rows.
            pub fn len(&self) -> usize {
                0 $( + self.$field.len() )*
            }

            /// Whether there is no row at all.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// `(table name, row count)` for each fact table, in contract order.
            pub fn row_counts(&self) -> Vec<(&'static str, usize)> {
                vec![ $( (<$ty as Row>::def().name, self.$field.len()) ),* ]
            }

            /// Calls the visitor once per table, in contract order.
            pub fn visit_tables<V: TableVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
                $( visitor.visit(&self.$field)?; )*
                Ok(())
            }

            /// Calls the visitor once per table, in contract order, freeing each table's rows
            /// as soon as it has been visited: converting a day this way holds the rows and
            /// the converted copy of one table at a time, not of all 18.
            pub fn visit_tables_freeing<V: TableVisitor>(self, visitor: &mut V) -> Result<(), V::Error> {
                $( visitor.visit(&self.$field)?; drop(self.$field); )*
                Ok(())
            }
        }
    };
}

/// Invokes `$callback! { ARGS field: RowType, … }` with the 18 fact tables in contract order:
/// the one list behind [`FactBatch`] and every per-table loop over it.
macro_rules! with_fact_tables {
    ($callback:ident ! ( $($args:tt)* )) => {
        $callback! {
            $($args)*
            fact_receipts: FactReceipt,
            fact_receipt_lines: FactReceiptLine,
            fact_payments: FactPayment,
            fact_online_order_headers: FactOnlineOrderHeader,
            fact_online_order_lines: FactOnlineOrderLine,
            fact_store_inventory_txn: FactStoreInventoryTxn,
            fact_dc_inventory_txn: FactDcInventoryTxn,
            fact_truck_moves: FactTruckMove,
            fact_truck_inventory: FactTruckInventory,
            fact_foot_traffic: FactFootTraffic,
            fact_ble_pings: FactBlePing,
            fact_customer_zone_changes: FactCustomerZoneChange,
            fact_marketing: FactMarketing,
            fact_promotions: FactPromotion,
            fact_promo_lines: FactPromoLine,
            fact_store_ops: FactStoreOps,
            fact_stockouts: FactStockout,
            fact_reorders: FactReorder,
        }
    };
}
pub(crate) use with_fact_tables;

with_fact_tables!(fact_batch!());

macro_rules! sort_tables {
    ($scope:ident, $batch:ident, $($field:ident : $ty:ty),* $(,)?) => {
        $(
            $scope.spawn(|_| {
                sort_rows(&mut $batch.$field, |a, b| {
                    a.business_date
                        .cmp(&b.business_date)
                        .then_with(|| a.cmp_primary_key(b))
                })
            });
        )*
    };
}

impl FactBatch {
    /// Sorts every table by (`business_date`, primary key) — data-contract §12.5 — so the set of
    /// rows alone determines the output bytes. The tables are sorted in parallel (rayon), each
    /// on its own, so the result does not depend on the thread count.
    pub fn sort(&mut self) {
        let batch = self;
        rayon::scope(|scope| {
            with_fact_tables!(sort_tables!(scope, batch,));
        });
    }
}

/// Stable sort of `rows` by `compare` (the same order as `sort_by`) that moves each row at most
/// once: a table already in order — most are, since every location writes its rows in id order —
/// is only checked; another is sorted as a permutation of indexes, then rearranged in place by
/// swaps. Rows are large structs, so this saves the merge passes' copies and the sort's scratch
/// buffer of half a table.
fn sort_rows<T>(rows: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if rows.is_sorted_by(|a, b| compare(a, b) != Ordering::Greater) {
        return;
    }
    let Ok(len) = u32::try_from(rows.len()) else {
        rows.sort_by(compare);
        return;
    };
    let mut order: Vec<u32> = (0..len).collect();
    order.sort_by(|&a, &b| compare(&rows[a as usize], &rows[b as usize]));
    apply_permutation(rows, order);
}

/// Reorders `items` in place so that position `j` receives the item that was at `order[j]`.
///
/// Sorting large values is cheaper as a sort of their indexes followed by this: each item then
/// moves about twice (one swap per place along each cycle of the permutation) and no second
/// buffer of items is allocated. `order` must be a permutation of `0..items.len()`.
///
/// # Panics
/// If `order` is not a permutation of `0..items.len()`.
pub fn apply_permutation<T>(items: &mut [T], mut order: Vec<u32>) {
    assert_eq!(order.len(), items.len(), "a permutation of every item");
    // An entry is set to DONE once its position holds its final item.
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        let mut j = start;
        loop {
            let k = order[j] as usize;
            assert!(k != DONE as usize, "order repeats an index");
            order[j] = DONE;
            if k == start {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_covers_the_eighteen_fact_tables_in_contract_order() {
        let names: Vec<&str> = FactBatch::default()
            .row_counts()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let contract: Vec<&str> = retail_schemas::fact_tables()
            .iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, contract);
    }

    /// A generated small-profile day, sorted: then every table reversed and sorted again comes
    /// back identical, and is strictly increasing in (`business_date`, primary key).
    #[test]
    fn sort_orders_every_table_by_business_date_then_primary_key() {
        use std::sync::Arc;
        let config = retail_config::Profile::Small.config();
        let dictionaries = retail_master::Dictionaries::bundled().unwrap();
        let master = Arc::new(retail_master::MasterData::generate(&config, &dictionaries).unwrap());
        let generator =
            crate::Generator::new(crate::FactsContext::new(master, Arc::new(config))).unwrap();
        let mut state = generator.initial_state().unwrap();
        let mut sorted = generator
            .run_day(&mut state, generator.context().dataset_start)
            .unwrap();
        sorted.sort();

        let mut reversed = sorted.clone();
        let mut tables_with_rows = 0;
        macro_rules! reverse_tables {
            ($($field:ident : $ty:ty),* $(,)?) => {
                $(
                    reversed.$field.reverse();
                    tables_with_rows += usize::from(reversed.$field.len() > 1);
                )*
            };
        }
        with_fact_tables!(reverse_tables!());
        assert!(tables_with_rows >= 12, "{:?}", sorted.row_counts());
        reversed.sort();
        assert!(reversed == sorted, "reversed tables did not sort back");

        macro_rules! assert_strictly_increasing {
            ($($field:ident : $ty:ty),* $(,)?) => {
                $(
                    assert!(
                        sorted.$field.windows(2).all(|pair| {
                            let (a, b) = (&pair[0], &pair[1]);
                            a.business_date < b.business_date
                                || (a.business_date == b.business_date
                                    && a.cmp_primary_key(b) == Ordering::Less)
                        }),
                        "{} is not in key order",
                        stringify!($field)
                    );
                )*
            };
        }
        with_fact_tables!(assert_strictly_increasing!());
    }

    #[test]
    fn applying_a_permutation_puts_each_item_where_the_order_says() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        // Two cycles (0 2 4) and (1 5), and a fixed point 3.
        apply_permutation(&mut items, vec![2, 5, 4, 3, 0, 1]);
        assert_eq!(items, vec!['c', 'f', 'e', 'd', 'a', 'b']);
        let mut sorted = vec![30, 10, 20, 10];
        let mut order: Vec<u32> = (0..4).collect();
        order.sort_by_key(|&i| sorted[i as usize]);
        apply_permutation(&mut sorted, order);
        assert_eq!(sorted, vec![10, 10, 20, 30]);
    }

    #[test]
    #[should_panic(expected = "order repeats an index")]
    fn a_repeated_index_is_refused() {
        apply_permutation(&mut [1, 2, 3], vec![1, 1, 0]);
    }
}
