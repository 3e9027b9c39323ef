//! The ticket status state machine: which changes an agent may make, and what a customer
//! message or an agent's first touch does to a ticket.

use crate::enums::text_enum;
use crate::error::DomainError;
use jiff::{SignedDuration, Timestamp};

text_enum!(
    /// Where a ticket stands.
    Status {
        /// Registered, nobody has touched it yet.
        New = "new",
        /// Being worked on.
        Open = "open",
        /// Waiting on the customer.
        Pending = "pending",
        /// Waiting on another team or a third party.
        OnHold = "on_hold",
        /// Solved; the customer may still write back and reopen it.
        Resolved = "resolved",
        /// Final; a later message starts a new, linked ticket.
        Closed = "closed",
    }
);

impl Status {
    /// Whether work on the ticket is still outstanding.
    pub fn is_active(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

/// How long after resolution a customer's message reopens a ticket instead of starting a
/// new one (the default; configurable per workspace).
pub const DEFAULT_REOPEN_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// What the agent's change needs to know about the ticket besides its status.
#[derive(Debug, Clone, Copy)]
pub struct ResolveEvidence {
    /// The ticket has at least one public reply from an agent.
    pub has_public_reply: bool,
    /// The change itself carries a resolution note.
    pub has_resolution_note: bool,
}

/// Checks an agent's status change. Returns the new status, or why it is refused.
///
/// Setting the status a ticket already has is allowed and changes nothing; `new` can't be
/// re-entered; `closed` is final; a resolved ticket can only be reopened or closed.
///
/// ```
/// use kefu_domain::status::{transition, ResolveEvidence, Status};
/// let evidence = ResolveEvidence { has_public_reply: false, has_resolution_note: false };
/// assert!(transition(Status::Open, Status::Resolved, evidence).is_err());
/// let evidence = ResolveEvidence { has_public_reply: true, ..evidence };
/// assert_eq!(transition(Status::Open, Status::Resolved, evidence), Ok(Status::Resolved));
/// ```
pub fn transition(from: Status, to: Status, evidence: ResolveEvidence) -> Result<Status, DomainError> {
    use Status::*;
    if from == to {
        return Ok(to);
    }
    let allowed = match (from, to) {
        (_, New) | (Closed, _) => false,
        (Resolved, Open | Closed) => true,
        (Resolved, _) => false,
        // Closing skips the resolution: only a resolved ticket may be closed.
        (_, Closed) => false,
        (New | Open | Pending | OnHold, Open | Pending | OnHold | Resolved) => true,
    };
    if !allowed {
        return Err(DomainError::InvalidTransition {
            from: from.as_str(),
            to: to.as_str(),
        });
    }
    if to == Resolved && !(evidence.has_public_reply || evidence.has_resolution_note) {
        return Err(DomainError::ResolveNeedsReply);
    }
    Ok(to)
}

/// The customer says the problem is solved (the portal's "mark solved"): their word is
/// the evidence, so no agent reply is needed. A closed ticket stays closed.
pub fn customer_confirms_solved(from: Status) -> Result<Status, DomainError> {
    match from {
        Status::Closed => Err(DomainError::InvalidTransition {
            from: from.as_str(),
            to: Status::Resolved.as_str(),
        }),
        _ => Ok(Status::Resolved),
    }
}

/// What happens to a ticket when its customer writes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerMessageOutcome {
    /// The ticket keeps its status (it is new, open or on hold).
    Unchanged,
    /// A pending ticket was waiting on this message: it opens again.
    Resumed,
    /// A resolved ticket inside the reopen window: it reopens.
    Reopened,
    /// Closed, or resolved too long ago: the message starts a new ticket linked to this one.
    FollowUp,
}

/// Decides what a customer's message does to a ticket in `status`, resolved at
/// `resolved_at`, arriving at `now`.
pub fn on_customer_message(
    status: Status,
    resolved_at: Option<Timestamp>,
    now: Timestamp,
    reopen_window: SignedDuration,
) -> CustomerMessageOutcome {
    match status {
        Status::New | Status::Open | Status::OnHold => CustomerMessageOutcome::Unchanged,
        Status::Pending => CustomerMessageOutcome::Resumed,
        Status::Resolved => {
            let within = resolved_at.is_none_or(|at| now.duration_since(at) <= reopen_window);
            if within {
                CustomerMessageOutcome::Reopened
            } else {
                CustomerMessageOutcome::FollowUp
            }
        }
        Status::Closed => CustomerMessageOutcome::FollowUp,
    }
}

/// The status after an agent first works on a ticket (a public reply or an assignment):
/// a new ticket becomes open; anything else stays as it is.
pub fn on_agent_touch(status: Status) -> Status {
    if status == Status::New { Status::Open } else { status }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REPLIED: ResolveEvidence = ResolveEvidence {
        has_public_reply: true,
        has_resolution_note: false,
    };
    const NOTHING: ResolveEvidence = ResolveEvidence {
        has_public_reply: false,
        has_resolution_note: false,
    };

    #[test]
    fn closed_is_final_and_new_cannot_be_reentered() {
        for to in Status::ALL.iter().copied().filter(|s| *s != Status::Closed) {
            assert!(transition(Status::Closed, to, REPLIED).is_err());
        }
        assert!(transition(Status::Open, Status::New, REPLIED).is_err());
        assert!(transition(Status::Open, Status::Closed, REPLIED).is_err());
        assert_eq!(transition(Status::Resolved, Status::Closed, NOTHING), Ok(Status::Closed));
    }

    #[test]
    fn resolving_needs_a_reply_or_a_note() {
        assert_eq!(
            transition(Status::Open, Status::Resolved, NOTHING),
            Err(DomainError::ResolveNeedsReply)
        );
        let with_note = ResolveEvidence {
            has_public_reply: false,
            has_resolution_note: true,
        };
        assert_eq!(transition(Status::Pending, Status::Resolved, with_note), Ok(Status::Resolved));
    }

    #[test]
    fn customer_message_reopens_inside_the_window_only() {
        let resolved = Timestamp::from_second(1_700_000_000).unwrap();
        let soon = resolved + SignedDuration::from_hours(24);
        let late = resolved + SignedDuration::from_hours(8 * 24);
        let w = DEFAULT_REOPEN_WINDOW;
        assert_eq!(
            on_customer_message(Status::Resolved, Some(resolved), soon, w),
            CustomerMessageOutcome::Reopened
        );
        assert_eq!(
            on_customer_message(Status::Resolved, Some(resolved), late, w),
            CustomerMessageOutcome::FollowUp
        );
        assert_eq!(
            on_customer_message(Status::Closed, Some(resolved), soon, w),
            CustomerMessageOutcome::FollowUp
        );
        assert_eq!(on_customer_message(Status::Pending, None, soon, w), CustomerMessageOutcome::Resumed);
        assert_eq!(
            on_customer_message(Status::OnHold, None, soon, w),
            CustomerMessageOutcome::Unchanged
        );
    }

    fn any_status() -> impl Strategy<Value = Status> {
        proptest::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        /// Any sequence of allowed changes never leaves `closed` and never returns to `new`.
        #[test]
        fn walks_respect_the_machine(start in any_status(), steps in proptest::collection::vec((any_status(), any::<bool>()), 0..30)) {
            let mut status = start;
            let mut seen_closed = status == Status::Closed;
            for (to, replied) in steps {
                let evidence = ResolveEvidence { has_public_reply: replied, has_resolution_note: false };
                if let Ok(next) = transition(status, to, evidence) {
                    prop_assert!(next != Status::New || status == Status::New);
                    if next == Status::Resolved && status != Status::Resolved { prop_assert!(replied); }
                    if next == Status::Closed && status != Status::Closed { prop_assert_eq!(status, Status::Resolved); }
                    status = next;
                }
                if seen_closed { prop_assert_eq!(status, Status::Closed); }
                seen_closed |= status == Status::Closed;
            }
        }
    }

    #[test]
    fn the_customer_may_mark_any_unclosed_ticket_solved() {
        for from in [Status::New, Status::Open, Status::Pending, Status::OnHold, Status::Resolved] {
            assert_eq!(customer_confirms_solved(from), Ok(Status::Resolved));
        }
        assert!(customer_confirms_solved(Status::Closed).is_err());
    }
}
