//! Counting attempts per key (an account, an address) in a fixed window, for the rate
//! limits of public endpoints. One process's memory: a restarted node forgets, which errs
//! towards letting people in; several nodes each count their own share.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct WindowCounter {
    window: Duration,
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl WindowCounter {
    pub(crate) fn new(window: Duration) -> Self {
        WindowCounter {
            window,
            counts: Mutex::default(),
        }
    }

    /// How long `key` must wait, if it has reached `allowed` in the current window.
    pub(crate) fn wait(&self, key: &str, allowed: u32) -> Option<Duration> {
        let counts = self.counts.lock().ok()?;
        let (count, since) = counts.get(key)?;
        let elapsed = since.elapsed();
        (*count >= allowed && elapsed < self.window).then(|| self.window - elapsed)
    }

    /// Counts one attempt for `key`.
    pub(crate) fn record(&self, key: &str) {
        let Ok(mut counts) = self.counts.lock() else { return };
        if counts.len() > 100_000 {
            let window = self.window;
            counts.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub(crate) fn clear(&self, key: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_waits_after_its_allowance_and_others_do_not() {
        let counter = WindowCounter::new(Duration::from_secs(60));
        for _ in 0..3 {
            assert!(counter.wait("a", 3).is_none());
            counter.record("a");
        }
        let wait = counter.wait("a", 3).expect("limited");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert!(counter.wait("b", 3).is_none());
        counter.clear("a");
        assert!(counter.wait("a", 3).is_none());
    }

    #[test]
    fn the_window_ends() {
        let counter = WindowCounter::new(Duration::from_millis(20));
        counter.record("a");
        assert!(counter.wait("a", 1).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(counter.wait("a", 1).is_none());
        counter.record("a");
        assert!(counter.wait("a", 1).is_some(), "a new window starts counting again");
    }
}
