//! Generation crash safety (issue #9 item 1): `retail generate` killed with SIGKILL at seeded
//! random instants (20 with `RELIABILITY_ITERATIONS=full`), each time re-run until it completes; the result validates and equals
//! an uninterrupted run's dataset table for table (content hashes: no duplicate, no missing
//! day) and file for file (Parquet).

mod support;

use std::time::{Duration, Instant};

use support::*;

/// Runs really killed: 20 with `RELIABILITY_ITERATIONS=full` (the count), 5 by default.
const KILLS_FULL: usize = 20;
const KILLS_DEFAULT: usize = 5;
/// Fixed seed of the kill instants: a failure is reproduced by running the test again.
const SEED: u64 = 0x0009_0001_C0DE_0009;
const ARGS: [&str; 5] = ["generate", "--start", "2024-11-25", "--end", "2024-11-27"];

/// xorshift64*: reproducible kill instants without a random-number crate.
struct KillClock(u64);

impl KillClock {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn generate_killed_at_random_points_resumes_to_the_uninterrupted_dataset() {
    let kills = iterations(KILLS_DEFAULT, KILLS_FULL);
    let config = small_config();
    let reference = tempfile::tempdir().unwrap();
    let clock = Instant::now();
    assert_ok(&retail(&config, reference.path(), &ARGS));
    let full_run = clock.elapsed();
    let expected = dataset_hashes(reference.path());
    let expected_parquet = parquet_files(reference.path());
    assert!(!expected_parquet.is_empty());

    let mut clock_of_kills = KillClock(SEED);
    let mut kill_offsets_ms = Vec::new();
    let mut runs_to_complete = Vec::new();
    let mut chains = 0;
    while kill_offsets_ms.len() < kills {
        chains += 1;
        let dir = tempfile::tempdir().unwrap();
        let mut runs = 0;
        loop {
            runs += 1;
            let mut child = retail_command(&config, dir.path(), &ARGS).spawn().unwrap();
            // Anywhere from start-up to a little past a whole run (then it may have finished).
            let wanted = kill_offsets_ms.len() < kills;
            let delay = full_run.mul_f64(1.1 * clock_of_kills.next_fraction());
            let started = Instant::now();
            let finished = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if wanted && started.elapsed() >= delay {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(1));
            };
            match finished {
                Some(status) => {
                    assert!(status.success(), "run {runs} of chain {chains}: {status:?}");
                    break;
                }
                None => {
                    child.kill().unwrap();
                    child.wait().unwrap();
                    kill_offsets_ms.push(started.elapsed().as_millis());
                }
            }
        }
        runs_to_complete.push(runs);
        let validate = retail(&config, dir.path(), &["validate"]);
        assert_ok(&validate);
        assert_eq!(
            dataset_hashes(dir.path()),
            expected,
            "chain {chains} differs from the uninterrupted run"
        );
        let parquet = parquet_files(dir.path());
        let names = |files: &[(std::path::PathBuf, Vec<u8>)]| -> Vec<std::path::PathBuf> {
            files.iter().map(|(path, _)| path.clone()).collect()
        };
        assert_eq!(
            names(&parquet),
            names(&expected_parquet),
            "chain {chains}: not the uninterrupted run's Parquet files"
        );
        for ((path, bytes), (_, expected)) in parquet.iter().zip(&expected_parquet) {
            assert!(
                bytes == expected,
                "chain {chains}: {} differs from the uninterrupted run's",
                path.display()
            );
        }
    }
    println!(
        "uninterrupted run {:.1}s; {} kills at {:?} ms after start; {chains} chains, runs per chain \
         {:?}; every chain validated and equals the uninterrupted dataset",
        full_run.as_secs_f64(),
        kill_offsets_ms.len(),
        kill_offsets_ms,
        runs_to_complete
    );
}
