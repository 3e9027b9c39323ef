//! The inbox's live counts. Every view an agent keeps open has a counter that commands
//! move in the same transaction as the ticket, so showing the counts reads a handful of
//! counter rows and never the ticket table.
//!
//! A ticket belongs to the counts its current state puts it in ([`count_keys`]); a change
//! moves it from the keys of the state before to those of the state after ([`deltas`]).

use crate::entities::{Id, Ticket};
use crate::status::Status;
use std::collections::BTreeMap;

/// One counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CountKey {
    /// Unfinished tickets, all of them (the supervisors' "all" view).
    Unfinished,
    /// Unfinished tickets assigned to the agent ("my open tickets").
    Assigned(Id),
    /// Tickets assigned to the agent that wait on the customer.
    Waiting(Id),
    /// Unfinished, unassigned tickets in a team (`None`: in no team).
    Unassigned(Option<Id>),
    /// Unfinished tickets the agent owns (first contact) that someone else, or nobody,
    /// holds now.
    OwnedByOthers(Id),
}

impl CountKey {
    /// The stored form: a scope name and a subject id (0 when there is none).
    pub fn parts(self) -> (&'static str, Id) {
        match self {
            CountKey::Unfinished => ("unfinished", 0),
            CountKey::Assigned(agent) => ("assigned", agent),
            CountKey::Waiting(agent) => ("waiting", agent),
            CountKey::Unassigned(team) => ("unassigned", team.unwrap_or(0)),
            CountKey::OwnedByOthers(agent) => ("owned_by_others", agent),
        }
    }

    /// The key again from its stored form.
    pub fn from_parts(scope: &str, subject: Id) -> Option<CountKey> {
        Some(match scope {
            "unfinished" => CountKey::Unfinished,
            "assigned" => CountKey::Assigned(subject),
            "waiting" => CountKey::Waiting(subject),
            "unassigned" => CountKey::Unassigned((subject != 0).then_some(subject)),
            "owned_by_others" => CountKey::OwnedByOthers(subject),
            _ => return None,
        })
    }
}

/// The counters a ticket in this state adds one to.
pub fn count_keys(ticket: &Ticket) -> Vec<CountKey> {
    keys_of(ticket.status, ticket.assignee_id, ticket.owner_id, ticket.team_id)
}

fn keys_of(status: Status, assignee: Option<Id>, owner: Option<Id>, team: Option<Id>) -> Vec<CountKey> {
    if !status.is_active() {
        return Vec::new();
    }
    let mut keys = vec![CountKey::Unfinished];
    match assignee {
        Some(agent) => {
            keys.push(CountKey::Assigned(agent));
            if status == Status::Pending {
                keys.push(CountKey::Waiting(agent));
            }
        }
        None => keys.push(CountKey::Unassigned(team)),
    }
    if let Some(owner) = owner
        && assignee != Some(owner)
    {
        keys.push(CountKey::OwnedByOthers(owner));
    }
    keys
}

/// How a change moves the counters: -1 for keys only `before` had, +1 for keys only
/// `after` has (`before` is `None` for a new ticket). Unchanged keys are left out.
pub fn deltas(before: Option<&Ticket>, after: &Ticket) -> Vec<(CountKey, i64)> {
    moves(before.map(count_keys).unwrap_or_default(), count_keys(after))
}

fn moves(before: Vec<CountKey>, after: Vec<CountKey>) -> Vec<(CountKey, i64)> {
    let mut moves: BTreeMap<CountKey, i64> = BTreeMap::new();
    for key in before {
        *moves.entry(key).or_default() -= 1;
    }
    for key in after {
        *moves.entry(key).or_default() += 1;
    }
    moves.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// The moves of many new tickets, summed per key (a batched create writes each counter
/// once).
pub fn deltas_of_new<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> Vec<(CountKey, i64)> {
    let mut moves: BTreeMap<CountKey, i64> = BTreeMap::new();
    for ticket in tickets {
        for key in count_keys(ticket) {
            *moves.entry(key).or_default() += 1;
        }
    }
    moves.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn state() -> impl Strategy<Value = (Status, Option<Id>, Option<Id>, Option<Id>)> {
        (
            prop::sample::select(Status::ALL.to_vec()),
            prop::option::of(1..4i64),
            prop::option::of(1..4i64),
            prop::option::of(1..3i64),
        )
    }

    #[test]
    fn a_new_unassigned_ticket_counts_in_its_team_queue() {
        assert_eq!(
            keys_of(Status::New, None, None, Some(7)),
            vec![CountKey::Unfinished, CountKey::Unassigned(Some(7))]
        );
        assert_eq!(
            keys_of(Status::Pending, Some(2), Some(1), None),
            vec![
                CountKey::Unfinished,
                CountKey::Assigned(2),
                CountKey::Waiting(2),
                CountKey::OwnedByOthers(1)
            ]
        );
        assert!(keys_of(Status::Resolved, Some(2), Some(1), Some(7)).is_empty());
    }

    #[test]
    fn keys_survive_their_stored_form() {
        for key in [
            CountKey::Unfinished,
            CountKey::Assigned(3),
            CountKey::Waiting(3),
            CountKey::Unassigned(None),
            CountKey::Unassigned(Some(9)),
            CountKey::OwnedByOthers(4),
        ] {
            let (scope, subject) = key.parts();
            assert_eq!(CountKey::from_parts(scope, subject), Some(key));
        }
    }

    proptest! {
        /// Applying the deltas of every change in a history leaves exactly the counts of
        /// the final states: counters never drift.
        #[test]
        fn deltas_add_up_to_the_final_counts(histories in prop::collection::vec(prop::collection::vec(state(), 1..8), 1..6)) {
            let mut counters: HashMap<CountKey, i64> = HashMap::new();
            let mut expected: HashMap<CountKey, i64> = HashMap::new();
            for history in &histories {
                let mut before: Option<Vec<CountKey>> = None;
                for (status, assignee, owner, team) in history {
                    let after = keys_of(*status, *assignee, *owner, *team);
                    for (key, n) in moves(before.take().unwrap_or_default(), after.clone()) {
                        *counters.entry(key).or_default() += n;
                    }
                    before = Some(after);
                }
                for key in before.unwrap_or_default() {
                    *expected.entry(key).or_default() += 1;
                }
            }
            counters.retain(|_, n| *n != 0);
            prop_assert_eq!(counters, expected);
        }
    }
}
