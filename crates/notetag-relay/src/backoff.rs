//! Exponential backoff with jitter, for reconnecting and resubscribing.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Delays that double from `base` to `max`, each jittered by up to ±25% so that
/// many clients dropped at once do not come back at once.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Start at `base`, never above `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff { base, max, next: base }
    }

    /// The next delay (and double the one after).
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.max);
        jittered(d)
    }

    /// Back to the first delay (after a connection that lasted).
    pub fn reset(&mut self) {
        self.next = self.base;
    }
}

/// `d` scaled by a random factor in [0.75, 1.25).
pub fn jittered(d: Duration) -> Duration {
    let r = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let factor = 0.75 + (r % 1000) as f64 / 2000.0;
    d.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
        let delays: Vec<Duration> = (0..5).map(|_| b.next_delay()).collect();
        let nominal = [100u64, 200, 400, 500, 500];
        for (d, n) in delays.iter().zip(nominal) {
            let n = Duration::from_millis(n);
            assert!(*d >= n.mul_f64(0.75) && *d < n.mul_f64(1.25), "{d:?} vs {n:?}");
        }
        b.reset();
        assert!(b.next_delay() < Duration::from_millis(125));
    }
}
