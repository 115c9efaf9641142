//! What the proxy's connections share with its handle: the armed rules, the count of faults
//! applied and the record of every request seen.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::fault::{Fault, Rule, Seen, TunnelFault};
use crate::http::RequestHead;

/// The state behind one proxy, locked briefly once per request and once per answer.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<Rule>,
    /// The fault for tunnelled connections and how many more times it may fire.
    tunnel: Option<(TunnelFault, u32)>,
    fired: u32,
    seen: Vec<Seen>,
    /// Beside each record of `seen`: the rule whose firing the exchange holds, until it strikes
    /// or is [`spared`](Shared::spared).
    holds: Vec<Option<usize>>,
    /// Bumped by every clear, so that an exchange still running across a clear does not write
    /// its status into somebody else's record.
    epoch: u64,
}

/// Where a request's record is, for filling in its status later.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    epoch: u64,
    index: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock, and the state stays consistent if it did.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn arm(&self, rule: Rule) {
        self.lock().rules.push(rule);
    }

    pub(crate) fn arm_tunnel(&self, fault: TunnelFault, times: u32) {
        self.lock().tunnel = Some((fault, times));
    }

    /// The fault for the next bytes a tunnelled client sends, if one is armed (it loses a
    /// firing).
    pub(crate) fn tunnel_fault(&self) -> Option<TunnelFault> {
        let mut state = self.lock();
        let (fault, times) = state.tunnel.as_mut()?;
        if *times == 0 {
            return None;
        }
        *times -= 1;
        let fault = fault.clone();
        state.fired = state.fired.saturating_add(1);
        Some(fault)
    }

    pub(crate) fn clear(&self) {
        let mut state = self.lock();
        state.rules.clear();
        state.tunnel = None;
        state.fired = 0;
        state.seen.clear();
        state.holds.clear();
        state.epoch += 1;
    }

    pub(crate) fn fired(&self) -> u32 {
        self.lock().fired
    }

    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Records `request` and picks its fault: the first rule that matches and has firings
    /// left fires and loses one. The fault counts, and is recorded, only once the exchange
    /// reports it [`struck`](Self::struck): a cut or a flip at an offset past the end of the
    /// body changes nothing and is never counted.
    pub(crate) fn admit(&self, request: &RequestHead) -> (Option<Fault>, Ticket) {
        let mut state = self.lock();
        let picked = state
            .rules
            .iter_mut()
            .enumerate()
            .find(|(_, rule)| rule.times > 0 && rule.matches(request))
            .map(|(index, rule)| {
                rule.times -= 1;
                (index, rule.fault.clone())
            });
        let (hold, fault) = picked.unzip();
        state.holds.push(hold);
        state.seen.push(Seen {
            method: request.method().to_owned(),
            target: request.target().to_owned(),
            fault: None,
            status: None,
        });
        let ticket = Ticket {
            epoch: state.epoch,
            index: state.seen.len() - 1,
        };
        (fault, ticket)
    }

    /// Notes that `fault`, picked for the request behind `ticket`, was applied: it counts in
    /// [`fired`](Self::fired) and is recorded with the request.
    pub(crate) fn struck(&self, ticket: Ticket, fault: &Fault) {
        let mut state = self.lock();
        // An exchange still running across a clear belongs to nobody's count now.
        if state.epoch != ticket.epoch {
            return;
        }
        state.fired = state.fired.saturating_add(1);
        if let Some(seen) = state.seen.get_mut(ticket.index) {
            seen.fault = Some(fault.clone());
        }
        if let Some(hold) = state.holds.get_mut(ticket.index) {
            *hold = None;
        }
    }

    /// Notes that the fault picked for the request behind `ticket` will not strike (its answer
    /// gave it nothing to change, or the exchange ended first): a rule that fires
    /// [`until_struck`](Rule::until_struck()) gets its firing back. Called again, or after the
    /// fault struck, it does nothing.
    pub(crate) fn spared(&self, ticket: Ticket) {
        let mut state = self.lock();
        if state.epoch != ticket.epoch {
            return;
        }
        let Some(rule) = state.holds.get_mut(ticket.index).and_then(Option::take) else {
            return;
        };
        if let Some(rule) = state.rules.get_mut(rule)
            && rule.until_struck
        {
            rule.times = rule.times.saturating_add(1);
        }
    }

    /// Notes the final status the client was sent for the request behind `ticket`.
    pub(crate) fn answered(&self, ticket: Ticket, status: u16) {
        let mut state = self.lock();
        if state.epoch == ticket.epoch
            && let Some(seen) = state.seen.get_mut(ticket.index)
        {
            seen.status = Some(status);
        }
    }
}
