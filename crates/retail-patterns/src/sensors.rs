//! Sensors (data-contract §7.13): visit timelines, BLE identification and anonymous ids, paths,
//! pings, zone changes and foot traffic.

use crate::ids::journey_enum;

journey_enum! {
    /// Store zone of beacons and foot-traffic sensors, in contract order.
    Zone {
        /// Entrance.
        Entrance => "ENTRANCE",
        /// Electronics.
        Electronics => "ELECTRONICS",
        /// Grocery.
        Grocery => "GROCERY",
        /// Clothing.
        Clothing => "CLOTHING",
        /// Checkout.
        Checkout => "CHECKOUT",
    }
}
