//! Circuit breaker shared by every partition key's sender.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::config::CircuitBreakerConfig;

#[derive(Debug, Default)]
struct State {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    probe_in_flight: bool,
}

/// Closed: attempts pass. Open (after `failure_threshold` consecutive failures): attempts wait
/// `open_for`. Half-open: one probe passes; its success closes the circuit, its failure
/// opens it again.
#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    config: CircuitBreakerConfig,
    state: Mutex<State>,
}

impl CircuitBreaker {
    pub(crate) fn new(config: CircuitBreakerConfig) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until an attempt may be made.
    pub(crate) async fn before_attempt(&self) {
        loop {
            let wait = {
                let mut state = self.lock();
                match state.open_until {
                    None => return,
                    Some(until) => {
                        let now = Instant::now();
                        if now < until {
                            until - now
                        } else if state.probe_in_flight {
                            Duration::from_millis(20)
                        } else {
                            state.probe_in_flight = true;
                            return;
                        }
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    pub(crate) fn on_success(&self) {
        let mut state = self.lock();
        state.consecutive_failures = 0;
        state.open_until = None;
        state.probe_in_flight = false;
    }

    pub(crate) fn on_failure(&self) {
        let mut state = self.lock();
        state.consecutive_failures = state.consecutive_failures.saturating_add(1);
        state.probe_in_flight = false;
        if state.consecutive_failures >= self.config.failure_threshold {
            if state.open_until.is_none() {
                tracing::warn!(
                    failures = state.consecutive_failures,
                    open_for_ms = self.config.open_for.as_millis() as u64,
                    "Event Hubs circuit breaker opened"
                );
            }
            state.open_until = Some(Instant::now() + self.config.open_for);
        }
    }

    #[cfg(test)]
    fn is_open(&self) -> bool {
        self.lock().open_until.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_after_the_threshold_and_lets_one_probe_through_later() {
        let breaker = CircuitBreaker::new(CircuitBreakerConfig {
            failure_threshold: 2,
            open_for: Duration::from_millis(30),
        });
        breaker.on_failure();
        assert!(!breaker.is_open());
        breaker.before_attempt().await;
        breaker.on_failure();
        assert!(breaker.is_open());
        let start = Instant::now();
        breaker.before_attempt().await;
        assert!(Instant::now() - start >= Duration::from_millis(30));
        // The probe is out: a second caller waits until it resolves.
        let second = breaker.before_attempt();
        tokio::pin!(second);
        assert!(futures::FutureExt::now_or_never(second.as_mut()).is_none());
        breaker.on_success();
        assert!(!breaker.is_open());
        second.await;
    }
}
