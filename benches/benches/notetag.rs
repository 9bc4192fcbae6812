//! Criterion benchmarks: featurise one note, predict one note, predict a batch of
//! 10k notes on one thread and on all threads, train, load the default model.
//!
//! Inputs are built once, outside the timed loops. Notes come from the project's
//! corpus test split (median length ~150 characters).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use notetag::{Classifier, ClassifierParams, PredictOptions, Scratch};
use notetag_benches::{corpus_notes, median_note, training_set};

fn notes() -> Vec<String> {
    corpus_notes().expect("data/corpus/test.jsonl is part of the repository")
}

fn one_note(c: &mut Criterion) {
    let model = Classifier::default_model().expect("embedded model loads");
    let notes = notes();
    let note = median_note(&notes).to_string();
    let mut g = c.benchmark_group("one_note");
    g.throughput(Throughput::Elements(1));
    let mut scratch = Scratch::default();
    g.bench_function("featurise", |b| {
        b.iter(|| {
            model.featurizer().transform_into(black_box(&note), &mut scratch);
            black_box(scratch.vec.nnz())
        })
    });
    g.bench_function("probabilities", |b| {
        b.iter(|| {
            model.probabilities_into(black_box(&note), &mut scratch);
            black_box(scratch.scores[0])
        })
    });
    g.bench_function("language", |b| {
        b.iter(|| black_box(notetag::text::lang::profile(black_box(&note))))
    });
    g.bench_function("predict", |b| b.iter(|| black_box(model.predict(black_box(&note)))));
    g.finish();
}

fn batch(c: &mut Criterion) {
    let model = Classifier::default_model().expect("embedded model loads");
    let notes = notes();
    let batch: Vec<&str> = notes.iter().map(String::as_str).cycle().take(10_000).collect();
    let opts = PredictOptions::default();
    let mut g = c.benchmark_group("batch_10k");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.sample_size(20);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for n in [1, threads] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("thread pool");
        g.bench_function(format!("predict_{n}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(model.predict_batch(&batch, &opts).len())))
        });
        g.bench_function(format!("proba_{n}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(model.predict_proba_batch(&batch).len())))
        });
        if n == threads {
            break;
        }
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.bench_function("default_model", |b| {
        b.iter(|| black_box(Classifier::default_model().expect("loads")))
    });
    g.finish();
}

fn train(c: &mut Criterion) {
    let (name, data) = training_set().expect("training data readable");
    let mut g = c.benchmark_group("train");
    g.throughput(Throughput::Elements(data.len() as u64));
    g.sample_size(10);
    let default_model = Classifier::default_model().expect("embedded model loads");
    for (label, params) in [
        ("word_svm", ClassifierParams::new()),
        ("default_model_params", default_model.params().clone()),
    ] {
        g.bench_function(format!("{name}/{label}"), |b| {
            b.iter_batched(
                || params.clone(),
                |p| black_box(p.fit(&data).expect("fits")),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, one_note, batch, load, train);
criterion_main!(benches);
