//! The epoch loop allocates nothing (issue 14): a counting global allocator, for this test binary
//! only, counts the allocations each thread makes, and the fast path's epochs on one thread must
//! make none once their buffers exist — full batch and mini-batches, f64 and f32, both ways of
//! measuring the training accuracy, SGD and Adam. `train` itself allocates one thing per epoch:
//! the copy of the record that its history keeps (and, now and then, a bigger history).
//!
//! If one of these fails, something in the loop started allocating again: the message says how
//! many allocations in how many epochs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ops::ControlFlow;

use nnlab_core::{
    notebook_init, train, Activation, Engine, FastEngine, ModelSpec, OptimizerConfig, RuleKind,
    RuleSettings, TrainAccuracy, TrainConfig, TrainData, Trainer,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};

/// The system allocator, counting on each thread how many blocks it hands out (or moves).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: a thread being torn down has no counter left, and is not measured
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method passes its arguments to `System`, which upholds GlobalAlloc's contract;
// counting touches only a thread-local integer (const-initialised: it never allocates).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as above
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: ptr came from this allocator (System underneath) with this layout
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from this allocator (System underneath) with this layout
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// How many allocations this thread made while running `f`.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (ALLOCATIONS.with(Cell::get) - before, result)
}

/// The notebook's data: make_moons(1000, noise 0.2), 80/20, scaled.
fn moons() -> TrainData {
    let data = make_moons(1000, Some(0.2), true, 42).unwrap();
    let split = train_test_split(1000, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

fn engine<T: nnlab_core::fast::Real>(hidden: Vec<usize>) -> FastEngine<T> {
    let spec = ModelSpec::new(2, hidden, Activation::Relu).unwrap();
    let mlp = notebook_init(&spec, 42);
    FastEngine::<T>::new(spec, &mlp, Some(1)).unwrap()
}

fn config(batch: Option<usize>, adam: bool) -> TrainConfig {
    let rule = RuleSettings {
        kind: if adam { RuleKind::Adam } else { RuleKind::Sgd },
        ..RuleSettings::default()
    };
    TrainConfig::new(if adam { 0.01 } else { 0.1 }, 1000)
        .unwrap()
        .with_batches(batch, 3)
        .unwrap()
        .with_optimizer(OptimizerConfig::new(rule, 0.0, 0.0).unwrap())
}

/// Allocations made by `epochs` epochs of `Trainer::epoch_in_place` after three to warm up.
fn epoch_allocations(
    engine: &mut dyn Engine,
    data: &TrainData,
    config: &TrainConfig,
    accuracy: TrainAccuracy,
    epochs: usize,
) -> usize {
    let mut trainer = Trainer::new(engine, data, config, accuracy).unwrap();
    for _ in 0..3 {
        trainer.epoch_in_place(engine, data).unwrap(); // buffers grow to fit
    }
    let (count, ()) = allocations(|| {
        for _ in 0..epochs {
            let record = trainer.epoch_in_place(engine, data).unwrap();
            assert!(record.loss.is_finite());
        }
    });
    count
}

// The counter sees what it must: a Vec of one value is one allocation, growing it another.
#[test]
fn the_counter_counts() {
    let (count, v) = allocations(|| {
        let mut v = vec![1.0_f64];
        v.reserve(100);
        v
    });
    assert_eq!((count, v.len()), (2, 1));
}

#[test]
fn fast_epochs_allocate_nothing() {
    let data = moons();
    let mut checked = 0;
    for hidden in [vec![8], vec![16, 16]] {
        for batch in [None, Some(32), Some(100)] {
            for adam in [false, true] {
                for accuracy in [TrainAccuracy::AfterUpdate, TrainAccuracy::BeforeUpdate] {
                    let config = config(batch, adam);
                    let what =
                        format!("hidden {hidden:?}, batch {batch:?}, adam {adam}, {accuracy:?}");
                    let mut e64 = engine::<f64>(hidden.clone());
                    let n = epoch_allocations(&mut e64, &data, &config, accuracy, 100);
                    assert_eq!(n, 0, "f64, {what}: {n} allocations in 100 epochs");
                    let mut e32 = engine::<f32>(hidden.clone());
                    let n = epoch_allocations(&mut e32, &data, &config, accuracy, 100);
                    assert_eq!(n, 0, "f32, {what}: {n} allocations in 100 epochs");
                    checked += 2;
                }
            }
        }
    }
    assert_eq!(checked, 48);
}

// `train` keeps every record: one copy per epoch, and the history's growth (its length doubles,
// so about log2(epochs) times). Counted between consecutive calls of `on_epoch`.
#[test]
fn train_allocates_only_the_history() {
    let data = moons();
    for batch in [None, Some(32)] {
        let mut e = engine::<f64>(vec![8]);
        let config = TrainConfig::new(0.1, 300)
            .unwrap()
            .with_batches(batch, 3)
            .unwrap();
        let mut last = None;
        let mut between = Vec::with_capacity(300); // (its own pushes must not count)
        train(
            &mut e,
            &data,
            &config,
            TrainAccuracy::AfterUpdate,
            |_, _| {
                let now = ALLOCATIONS.with(Cell::get);
                if let Some(last) = last {
                    between.push(now - last);
                }
                last = Some(now);
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(between.len(), 299);
        let total: usize = between.iter().sum();
        assert!(
            between.iter().all(|&n| (1..=2).contains(&n)) && total <= 299 + 10,
            "batch {batch:?}: allocations per epoch {between:?}"
        );
    }
}
