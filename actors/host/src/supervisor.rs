//! The service supervisor: keeps its children alive.
//!
//! A failed child is restarted after a delay that doubles with each
//! consecutive failure (reset once it has run stably). Restarts are counted in
//! a sliding window; when the budget is spent the supervisor reports a fatal
//! error and stops, and the node exits non-zero: a service that cannot stay up
//! should be restarted from outside, not spin.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use ractor::{Actor, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent};
use tokio::sync::mpsc::UnboundedSender;

use crate::service::ChildSpec;

/// Restart rules.
#[derive(Debug, Clone, Copy)]
pub struct RestartPolicy {
    /// Restarts allowed within `window`.
    pub budget: usize,
    /// Sliding window of the budget.
    pub window: Duration,
    /// First delay.
    pub backoff: Duration,
    /// Longest delay.
    pub backoff_max: Duration,
}

impl RestartPolicy {
    /// Delay before the `n`th consecutive restart (n >= 1).
    pub fn delay(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1).min(20)).unwrap_or(u32::MAX);
        self.backoff.saturating_mul(factor).min(self.backoff_max)
    }
}

/// What the supervisor starts with.
pub struct SupervisorArgs {
    /// For logs.
    pub service: String,
    /// Children, started in order.
    pub children: Vec<ChildSpec>,
    /// Restart rules.
    pub policy: RestartPolicy,
    /// Told why when the budget is spent.
    pub fatal: UnboundedSender<String>,
    /// Counts every restart scheduled (`/metrics`).
    pub restarts: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Supervisor messages.
pub enum SupervisorMsg {
    /// Start child `n` again (sent to itself after the backoff).
    Restart(usize),
}

/// See the module docs.
pub struct ServiceSupervisor;

/// Supervisor state.
pub struct SupervisorState {
    args: SupervisorArgs,
    running: HashMap<ActorId, usize>,
    consecutive: Vec<u32>,
    started: Vec<Instant>,
    recent: VecDeque<Instant>,
}

impl Actor for ServiceSupervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<SupervisorMsg>,
        args: SupervisorArgs,
    ) -> Result<SupervisorState, ActorProcessingErr> {
        let n = args.children.len();
        let mut state = SupervisorState {
            args,
            running: HashMap::new(),
            consecutive: vec![0; n],
            started: vec![Instant::now(); n],
            recent: VecDeque::new(),
        };
        for i in 0..n {
            let cell = (state.args.children[i].start)(myself.get_cell()).await?;
            state.running.insert(cell.get_id(), i);
        }
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<SupervisorMsg>,
        msg: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisorMsg::Restart(i) = msg;
        let name = &state.args.children[i].name;
        match (state.args.children[i].start)(myself.get_cell()).await {
            Ok(cell) => {
                tracing::info!(service = %state.args.service, child = %name, "child restarted");
                state.running.insert(cell.get_id(), i);
                state.started[i] = Instant::now();
            }
            Err(e) => {
                tracing::warn!(service = %state.args.service, child = %name, error = %e, "child failed to restart");
                schedule_restart(&myself, state, i);
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupervisorMsg>,
        event: SupervisionEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        // Overridden because the default stops the supervisor when any child ends (ractor #107).
        match event {
            SupervisionEvent::ActorFailed(cell, error) => {
                if let Some(i) = state.running.remove(&cell.get_id()) {
                    tracing::warn!(service = %state.args.service, child = %state.args.children[i].name, %error, "child failed");
                    schedule_restart(&myself, state, i);
                }
            }
            SupervisionEvent::ActorTerminated(cell, _, reason) => {
                if let Some(i) = state.running.remove(&cell.get_id()) {
                    tracing::debug!(service = %state.args.service, child = %state.args.children[i].name, ?reason, "child stopped");
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        myself: ActorRef<SupervisorMsg>,
        _: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        // End children ourselves and wait for them, so what they hold (an
        // on-disk view, say) is released when the supervisor is gone. By now
        // the host has drained: nothing in flight is cut short.
        for child in myself.get_children() {
            let _ = child.kill_and_wait(Some(std::time::Duration::from_secs(2))).await;
        }
        Ok(())
    }
}

/// Count a restart against the budget and schedule it, or give up.
fn schedule_restart(myself: &ActorRef<SupervisorMsg>, state: &mut SupervisorState, i: usize) {
    let policy = state.args.policy;
    let now = Instant::now();
    state.args.restarts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if state.args.children[i].budgeted {
        state.recent.push_back(now);
    }
    while state.recent.front().is_some_and(|t| now.duration_since(*t) > policy.window) {
        state.recent.pop_front();
    }
    if state.recent.len() > policy.budget {
        let why = format!(
            "service {}: restart budget spent ({} restarts within {:?}); last failure in {}",
            state.args.service,
            state.recent.len(),
            policy.window,
            state.args.children[i].name
        );
        tracing::error!("{why}; exiting");
        let _ = state.args.fatal.send(why);
        myself.stop(Some("restart budget spent".into()));
        return;
    }
    // A child that ran well past the longest backoff is healthy again: start the backoff over.
    if now.duration_since(state.started[i]) > policy.backoff_max * 4 {
        state.consecutive[i] = 0;
    }
    state.consecutive[i] += 1;
    let delay = policy.delay(state.consecutive[i]);
    tracing::info!(service = %state.args.service, child = %state.args.children[i].name, ?delay, "restart scheduled");
    myself.send_after(delay, move || SupervisorMsg::Restart(i));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RestartPolicy {
            budget: 3,
            window: Duration::from_secs(1),
            backoff: Duration::from_millis(10),
            backoff_max: Duration::from_millis(70),
        };
        let d: Vec<u64> = (1..=5).map(|n| p.delay(n).as_millis() as u64).collect();
        assert_eq!(d, vec![10, 20, 40, 70, 70]);
        assert_eq!(p.delay(200), Duration::from_millis(70));
    }
}
