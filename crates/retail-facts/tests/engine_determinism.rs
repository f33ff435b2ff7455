//! §12.4 thread-count independence and §12.6 continuation equality.
mod engine_support;

use engine_support::*;
use retail_facts::{
    FactsError, Generator, checkpoint_from_bytes, checkpoint_to_bytes, load_checkpoint,
    save_checkpoint,
};

fn run_in_pool(threads: usize, days: i32) -> Vec<retail_facts::FactBatch> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let generator = Generator::new(small_context()).unwrap();
        run(&generator, days).0
    })
}

#[test]
fn one_thread_and_four_threads_give_identical_batches() {
    let one = run_in_pool(1, 4);
    let four = run_in_pool(4, 4);
    assert!(one.iter().all(|b| !b.is_empty()));
    assert_eq!(one, four);
}

#[test]
fn a_run_split_by_a_checkpoint_equals_the_single_run() {
    let generator = Generator::new(small_context()).unwrap();
    let (single, _) = run(&generator, 6);

    for split in [1, 3] {
        // A fresh generator (empty caches), as a continuation process would have.
        let first = Generator::new(small_context()).unwrap();
        let (mut batches, state) = run(&first, split);
        let bytes = checkpoint_to_bytes(&state).unwrap();
        let second = Generator::new(small_context()).unwrap();
        let mut restored = checkpoint_from_bytes(&bytes, second.config_hash()).unwrap();
        let start = second.context().dataset_start;
        for r in second.run_days(&mut restored, start.plus_days(split), start.plus_days(5)) {
            batches.push(r.unwrap().1);
        }
        assert_eq!(batches.len(), single.len());
        for (day, (a, b)) in single.iter().zip(&batches).enumerate() {
            assert!(a == b, "day {day} differs after a split at {split}");
        }
    }
}

#[test]
fn checkpoint_files_round_trip_and_refuse_another_configuration() {
    let generator = Generator::new(small_context()).unwrap();
    let (_, state) = run(&generator, 2);
    let dir = tempfile::tempdir().unwrap();
    save_checkpoint(dir.path(), &state).unwrap();
    let loaded = load_checkpoint(dir.path(), generator.config_hash()).unwrap();
    assert_eq!(
        checkpoint_to_bytes(&loaded).unwrap(),
        checkpoint_to_bytes(&state).unwrap()
    );
    assert_eq!(loaded.next_date, state.next_date);

    let other = Generator::new(small_context_with(|c| c.seed = 7)).unwrap();
    let err = load_checkpoint(dir.path(), other.config_hash()).unwrap_err();
    assert!(
        matches!(&err, FactsError::Continuation(m) if m.contains("config_hash")),
        "{err}"
    );
    let mut wrong = loaded.clone();
    let err = other.run_day(&mut wrong, state.next_date).unwrap_err();
    assert!(matches!(err, FactsError::Continuation(_)), "{err}");

    let mut bytes = checkpoint_to_bytes(&state).unwrap();
    bytes[8] = 99;
    let err = checkpoint_from_bytes(&bytes, generator.config_hash()).unwrap_err();
    assert!(err.to_string().contains("format version 99"), "{err}");
    let err = checkpoint_from_bytes(b"not a checkpoint", generator.config_hash()).unwrap_err();
    assert!(err.to_string().contains("bad header"), "{err}");
}

#[test]
fn days_must_be_generated_in_order() {
    let generator = Generator::new(small_context()).unwrap();
    let mut state = generator.initial_state().unwrap();
    let start = generator.context().dataset_start;
    let err = generator.run_day(&mut state, start.succ()).unwrap_err();
    assert!(err.to_string().contains("next date"), "{err}");
    generator.run_day(&mut state, start).unwrap();
    let err = generator.run_day(&mut state, start).unwrap_err();
    assert!(matches!(err, FactsError::Continuation(_)));
}
