//! Property test (issue #9 item 4): thousands of generated malformed dictionaries (the eight
//! CSV files of data-contract §7.0), seeded and reproducible. Loading never panics and every
//! rejection names the file, the line and what is wrong; dictionaries that load anyway
//! generate the dimensions or fail with a clear error, never a panic.

mod common;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use retail_master::{DICTIONARY_FILES, Dictionaries, MasterData, MasterError};

fn seeded(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The fixture dictionaries (small: tests stay fast), as text in [`DICTIONARY_FILES`] order.
fn fixture_files() -> Vec<String> {
    DICTIONARY_FILES
        .iter()
        .map(|name| {
            std::fs::read_to_string(common::fixtures_dir().join("dictionaries").join(name)).unwrap()
        })
        .collect()
}

/// Cell values that break some rule somewhere.
fn garbage_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "-1",
            "0",
            "NaN",
            "inf",
            "-inf",
            "1e309",
            "3.4.5",
            "0.00",
            "0.001",
            "99999999999",
            "-87.6181",
            "200",
            "Not/AZone",
            "America/Nowhere",
            "UTC",
            "il",
            "ILL",
            "Midwest",
            "Nowhere",
            "Food",
            "food",
            "\"",
            "\"\"",
            ",",
            ";",
            ";;",
            "é",
            "\u{feff}",
            "\0",
        ])
        .prop_map(str::to_owned),
        ".{0,20}",
        "[0-9.eE+-]{1,12}",
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    /// Replace cell `column` of line `line` (header included) with a value.
    Cell(prop::sample::Index, prop::sample::Index, String),
    /// Delete a line.
    DeleteLine(prop::sample::Index),
    /// Duplicate a line.
    DuplicateLine(prop::sample::Index),
    /// Add or remove a separator on a line.
    Separator(prop::sample::Index, bool),
    /// Replace, insert or cut at a byte.
    Byte(prop::sample::Index, u8, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), any::<prop::sample::Index>(), garbage_cell())
            .prop_map(|(l, c, v)| Edit::Cell(l, c, v)),
        1 => any::<prop::sample::Index>().prop_map(Edit::DeleteLine),
        1 => any::<prop::sample::Index>().prop_map(Edit::DuplicateLine),
        1 => (any::<prop::sample::Index>(), any::<bool>()).prop_map(|(l, b)| Edit::Separator(l, b)),
        2 => (any::<prop::sample::Index>(), 0u8..3, any::<u8>())
            .prop_map(|(at, kind, b)| Edit::Byte(at, kind, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut bytes_edits = Vec::new();
    for e in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        match e {
            Edit::Cell(l, c, value) => {
                let at = l.index(lines.len());
                let line = &mut lines[at];
                let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
                let i = c.index(cells.len());
                cells[i] = value.clone();
                *line = cells.join(",");
            }
            Edit::DeleteLine(l) => {
                lines.remove(l.index(lines.len()));
            }
            Edit::DuplicateLine(l) => {
                let i = l.index(lines.len());
                lines.insert(i, lines[i].clone());
            }
            Edit::Separator(l, add) => {
                let at = l.index(lines.len());
                let line = &mut lines[at];
                if *add {
                    line.push(',');
                } else if let Some(i) = line.rfind(',') {
                    line.remove(i);
                }
            }
            Edit::Byte(at, kind, b) => bytes_edits.push((*at, *kind, *b)),
        }
    }
    let mut bytes = (lines.join("\n") + "\n").into_bytes();
    for (at, kind, b) in bytes_edits {
        let i = at.index(bytes.len().max(1)).min(bytes.len());
        match kind {
            0 if i < bytes.len() => bytes[i] = b,
            1 => bytes.insert(i, b),
            _ => bytes.truncate(i),
        }
    }
    bytes
}

/// Loads the files; on success also generates the small profile's dimensions from them.
/// Fails the property on a panic or an unclear error. True when rejected.
fn check(files: &[Vec<u8>], edited: usize, generate: bool) -> Result<bool, TestCaseError> {
    let refs: [&[u8]; 8] = std::array::from_fn(|i| files[i].as_slice());
    let loaded = std::panic::catch_unwind(AssertUnwindSafe(|| Dictionaries::from_bytes(refs)))
        .map_err(|_| {
            TestCaseError::fail(format!(
                "loading panicked on {}: {:?}",
                DICTIONARY_FILES[edited],
                String::from_utf8_lossy(&files[edited])
            ))
        })?;
    match loaded {
        Err(MasterError::Dictionary { file, line, reason }) => {
            // The edited file is the one blamed (the others are valid fixtures).
            prop_assert_eq!(file.as_str(), DICTIONARY_FILES[edited]);
            prop_assert!(line >= 1);
            prop_assert!(!reason.trim().is_empty());
            Ok(true)
        }
        Err(other) => Err(TestCaseError::fail(format!(
            "unexpected error kind: {other}"
        ))),
        Ok(dicts) if generate => {
            let config = common::small_config();
            let generated = std::panic::catch_unwind(AssertUnwindSafe(|| {
                MasterData::generate(&config, &dicts)
            }))
            .map_err(|_| {
                TestCaseError::fail(format!(
                    "generation panicked on {}: {:?}",
                    DICTIONARY_FILES[edited],
                    String::from_utf8_lossy(&files[edited])
                ))
            })?;
            if let Err(err) = generated {
                prop_assert!(!err.to_string().trim().is_empty());
                return Ok(true);
            }
            Ok(false)
        }
        Ok(_) => Ok(false),
    }
}

fn run(cases: u32, seed: u64, edits: std::ops::Range<usize>, generate: bool) -> u64 {
    let fixtures = fixture_files();
    let strategy = (
        0..DICTIONARY_FILES.len(),
        prop::collection::vec(edit(), edits),
    );
    let rejected = AtomicU64::new(0);
    let mut runner = TestRunner::new(seeded(cases, seed));
    let outcome = runner.run(&strategy, |(file, edits)| {
        let mut files: Vec<Vec<u8>> = fixtures.iter().map(|t| t.clone().into_bytes()).collect();
        files[file] = apply(&fixtures[file], &edits);
        if check(&files, file, generate)? {
            rejected.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let rejected = rejected.into_inner();
    println!(
        "{cases} generated dictionary sets, {rejected} rejected with a clear message, 0 panics"
    );
    rejected
}

#[test]
fn malformed_dictionaries_are_rejected_with_file_line_and_reason() {
    let rejected = run(2_500, 0x0009_D1C1, 1..6, false);
    assert!(rejected >= 1_250, "{rejected}");
}

/// Fewer cases: each accepted set also generates the dimensions.
#[test]
fn dictionaries_that_load_generate_or_fail_clearly() {
    run(150, 0x0009_D1C2, 1..3, true);
}

#[test]
fn a_missing_dictionary_file_is_named() {
    for missing in DICTIONARY_FILES {
        let dir = tempfile::tempdir().unwrap();
        for name in DICTIONARY_FILES.iter().filter(|n| **n != missing) {
            std::fs::copy(
                common::fixtures_dir().join("dictionaries").join(name),
                dir.path().join(name),
            )
            .unwrap();
        }
        let err = Dictionaries::load_dir(dir.path()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, MasterError::Io { .. }), "{message}");
        assert!(
            message.starts_with("cannot read dictionary file ") && message.contains(missing),
            "{message}"
        );
    }
}
