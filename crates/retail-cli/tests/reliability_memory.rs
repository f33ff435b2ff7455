//! Resource limits (issue #9 item 6): the largest run in CI — one week of the `small` profile
//! (4 stores, 2 DCs, 3,000 customers, 400 products; 2024-11-25 … 2024-12-01, the week of
//! `cli_generate::generate_a_small_week_then_validate`) — generated and validated by the real
//! binary stays within the documented memory budget (docs/reliability.md). The figure is the
//! child's peak resident set (VmHWM), sampled until it exits; a budget, not a timing.

mod support;

use support::*;

/// Peak resident memory allowed to `retail generate` for the small-profile week, and to
/// `retail validate` over it (docs/reliability.md, "Resource limits").
const GENERATE_BUDGET_MIB: u64 = 1_024;
const VALIDATE_BUDGET_MIB: u64 = 768;

#[test]
fn the_largest_ci_run_stays_within_its_memory_budget() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config();
    let (out, generate_kib) = run_measuring_peak_rss(retail_command(
        &config,
        dir.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-12-01"],
    ));
    assert_ok(&out);
    let (out, validate_kib) =
        run_measuring_peak_rss(retail_command(&config, dir.path(), &["validate"]));
    assert_ok(&out);
    let database_mib = std::fs::metadata(dir.path().join("retail.duckdb"))
        .unwrap()
        .len()
        >> 20;
    println!(
        "small week: generate peak RSS {} MiB (budget {GENERATE_BUDGET_MIB} MiB), validate peak \
         RSS {} MiB (budget {VALIDATE_BUDGET_MIB} MiB), database {database_mib} MiB",
        generate_kib / 1024,
        validate_kib / 1024
    );
    // A sampler that never saw the child would pass any budget: make sure it measured.
    assert!(
        generate_kib > 10 * 1024,
        "implausible peak {generate_kib} KiB"
    );
    assert!(
        validate_kib > 10 * 1024,
        "implausible peak {validate_kib} KiB"
    );
    assert!(
        generate_kib <= GENERATE_BUDGET_MIB * 1024,
        "generate peaked at {} MiB, over its {GENERATE_BUDGET_MIB} MiB budget",
        generate_kib / 1024
    );
    assert!(
        validate_kib <= VALIDATE_BUDGET_MIB * 1024,
        "validate peaked at {} MiB, over its {VALIDATE_BUDGET_MIB} MiB budget",
        validate_kib / 1024
    );
}
