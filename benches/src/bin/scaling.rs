//! How batch prediction scales from one thread to all of them, measured so that the
//! machine's drift cancels out: one-thread and all-thread runs of the same 10k-note
//! batch alternate, and each pair gives one ratio. Criterion's `batch_10k` group
//! measures each setting for seconds at a time, so on a machine whose speed moves
//! from minute to minute its two figures can come from different machines.
//!
//! `scaling [rounds]` (default 30) prints, for `predict_batch`,
//! `predict_proba_batch` and a control, the median of the per-pair ratios with
//! their quartiles. The control runs the same notes with no shared state at all: the
//! batch is split in equal parts, one per thread, each thread with its own scratch
//! and output. Its ratio is what the machine gives this work, the ceiling the
//! library's batch calls are measured against.

use std::cell::RefCell;
use std::hint::black_box;
use std::time::Instant;

use notetag::{Classifier, PredictOptions, Scratch};
use notetag_benches::corpus_notes;

/// Seconds that `f` takes, run on `pool`.
fn timed(pool: &rayon::ThreadPool, f: &(dyn Fn() -> usize + Sync)) -> f64 {
    let start = Instant::now();
    black_box(pool.install(f));
    start.elapsed().as_secs_f64()
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Every note's probabilities: the batch in equal parts, one per thread of the
/// pool, each thread with its own scratch (kept from run to run, as the library's
/// is) and output.
fn control(model: &Classifier, batch: &[&str]) -> usize {
    rayon::broadcast(|ctx| {
        let per = batch.len().div_ceil(ctx.num_threads());
        let part = batch.chunks(per).nth(ctx.index()).unwrap_or_default();
        let mut out = Vec::with_capacity(part.len() * model.labels().len());
        SCRATCH.with_borrow_mut(|scratch| {
            for note in part {
                model.probabilities_into(note, scratch);
                out.extend_from_slice(&scratch.scores);
            }
        });
        out.len()
    })
    .into_iter()
    .sum()
}

/// The median and the quartiles of `xs`.
fn quartiles(mut xs: Vec<f64>) -> [f64; 3] {
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args().nth(1).as_deref().unwrap_or("30").parse()?;
    if rounds == 0 {
        return Err("rounds must be at least 1".into());
    }
    let model = Classifier::default_model()?;
    let notes = corpus_notes()?;
    let batch: Vec<&str> = notes.iter().map(String::as_str).cycle().take(10_000).collect();
    let opts = PredictOptions::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pools = [1, threads].map(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build());
    let [one, all] = pools;
    let (one, all) = (one?, all?);
    let predict = || model.predict_batch(&batch, &opts).len();
    let proba = || model.predict_proba_batch(&batch).len();
    let control = || control(&model, &batch);
    let work: [(&str, &(dyn Fn() -> usize + Sync)); 3] = [
        ("predict_batch", &predict),
        ("predict_proba_batch", &proba),
        ("control (no shared state)", &control),
    ];
    println!(
        "{} notes, 1 thread against {threads}, {rounds} alternating pairs each (order flips every pair)",
        batch.len()
    );
    for (name, f) in work {
        timed(&one, f);
        timed(&all, f);
        let (mut ratios, mut t1, mut tn) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..rounds {
            let (a, b) = if r % 2 == 0 {
                let a = timed(&one, f);
                (a, timed(&all, f))
            } else {
                let b = timed(&all, f);
                (timed(&one, f), b)
            };
            ratios.push(a / b);
            t1.push(batch.len() as f64 / a);
            tn.push(batch.len() as f64 / b);
        }
        let [q1, med, q3] = quartiles(ratios);
        let k = |xs: Vec<f64>| quartiles(xs)[1] / 1e3;
        println!(
            "{name:<26} ratio median {med:.2} (quartiles {q1:.2}-{q3:.2}); median notes/s {:.0}k on 1, {:.0}k on {threads}",
            k(t1),
            k(tn)
        );
    }
    Ok(())
}
