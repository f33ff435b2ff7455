//! The committed docs/data-dictionary.md and docs/event-catalog.md equal a fresh render of the
//! metadata. Regenerate with `RETAIL_BLESS=1 cargo test -p retail-schemas --test docs`.

use std::path::PathBuf;

use retail_schemas::emit::markdown;

fn check(relative: &str, fresh: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    if std::env::var_os("RETAIL_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, fresh).unwrap_or_else(|e| panic!("writing {relative}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || committed.lines().count().min(fresh.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "{relative} is stale (first difference at line {line}); regenerate it with \
             `RETAIL_BLESS=1 cargo test -p retail-schemas --test docs` and commit the result"
        );
    }
}

#[test]
fn data_dictionary_is_up_to_date() {
    check("docs/data-dictionary.md", &markdown::data_dictionary());
}

#[test]
fn event_catalog_is_up_to_date() {
    check("docs/event-catalog.md", &markdown::event_catalog());
}
