//! DuckDB's memory cap as the store sets and reads it.

use retail_store::Store;

#[test]
fn the_memory_cap_is_set_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let default = store.memory_limit().unwrap();
    assert!(default > 0, "DuckDB always has a cap");
    store.limit_memory(256 << 20).unwrap();
    assert_eq!(store.memory_limit().unwrap(), 256 << 20);
    store.limit_memory(3 << 30).unwrap();
    assert_eq!(store.memory_limit().unwrap(), 3 << 30);
    assert_ne!(default, 256 << 20);
}
