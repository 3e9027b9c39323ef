//! Keyset pagination: walking every page of a list returns each matching row exactly
//! once, in the documented order, for every sort, also when many rows share a sort key.
//! The expected list is computed here from the documented rules (filters, visibility,
//! order), not from SQL, so the check is independent of the query builder.

use crate::support::{agent, at, customer, new_ticket, team};
use kefu_domain::entities::{Id, Ticket, TicketNumber};
use kefu_domain::enums::{Priority, TicketKind};
use kefu_domain::query::{AssigneeFilter, TicketQuery, TicketSort, Visibility};
use kefu_domain::status::Status;
use kefu_store::tickets::{NewTicket, cursor_of, insert_ticket, list_tickets, update_ticket};
use kefu_store::{Db, StoreError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cmp::Reverse;

backend_tests!(
    every_sort_pages_through_ties_exactly_once,
    random_lists_page_to_the_full_ordered_list
);

const SORTS: [TicketSort; 5] = [
    TicketSort::Created,
    TicketSort::CreatedDesc,
    TicketSort::Updated,
    TicketSort::UpdatedDesc,
    TicketSort::Priority,
];

/// Follows cursors from the first page to the last, as the API's `next` links do, and
/// checks the page shape on the way: `limit + 1` rows means another page exists. `stored`
/// is how many tickets exist in all: collecting more means a cursor repeated rows, and
/// stopping there keeps a broken cursor from looping for long.
async fn walk_pages(db: &Db, mut query: TicketQuery, visibility: &Visibility, stored: usize) -> Vec<Ticket> {
    let limit = query.limit;
    let mut out: Vec<Ticket> = Vec::new();
    loop {
        let mut rows = list_tickets(db.read(), &query, visibility).await.expect("list page");
        assert!(rows.len() <= limit + 1, "a page has at most limit + 1 rows");
        let more = rows.len() > limit;
        rows.truncate(limit);
        if more {
            query.after = Some(cursor_of(rows.last().expect("a full page"), query.sort));
        }
        out.extend(rows);
        if !more {
            return out;
        }
        assert!(
            out.len() <= stored,
            "pages returned {} rows of {stored}: the cursor repeats rows",
            out.len()
        );
    }
}

/// The documented order of each sort, with the id as the final tie-break.
fn expected_order(mut tickets: Vec<Ticket>, sort: TicketSort) -> Vec<TicketNumber> {
    let ms = |t: &Ticket| (t.created_at.as_millisecond(), t.updated_at.as_millisecond());
    match sort {
        TicketSort::Created => tickets.sort_by_key(|t| (ms(t).0, t.id)),
        TicketSort::CreatedDesc => tickets.sort_by_key(|t| Reverse((ms(t).0, t.id))),
        TicketSort::Updated => tickets.sort_by_key(|t| (ms(t).1, t.id)),
        TicketSort::UpdatedDesc => tickets.sort_by_key(|t| Reverse((ms(t).1, t.id))),
        TicketSort::Priority => tickets.sort_by_key(|t| (Reverse(t.priority.rank()), ms(t).0, t.id)),
        TicketSort::SlaDue => {
            tickets.retain(|t| t.sla_due_at.is_some());
            tickets.sort_by_key(|t| (t.sla_due_at, t.id));
        }
    }
    tickets.into_iter().map(|t| t.number).collect()
}

fn numbers(tickets: &[Ticket]) -> Vec<TicketNumber> {
    tickets.iter().map(|t| t.number).collect()
}

async fn every_sort_pages_through_ties_exactly_once(db: Db) {
    let cust = customer(&db, "Ties", None).await.id;
    // 40 tickets over 3 creation instants, 4 update instants and 4 priorities: almost
    // every page boundary falls inside a run of equal keys, where only the id decides.
    let tickets = db
        .write(move |tx| {
            Box::pin(async move {
                let mut out = Vec::new();
                for i in 0..40i64 {
                    let priority = Priority::ALL[(i * 5 % 4) as usize];
                    let mut t = insert_ticket(
                        tx.exec(),
                        &NewTicket {
                            priority,
                            ..new_ticket(cust)
                        },
                        at(i * 7 % 3),
                    )
                    .await?;
                    t.updated_at = at(i * 3 % 4);
                    update_ticket(tx.exec(), &t).await?;
                    out.push(t);
                }
                Ok::<_, StoreError>(out)
            })
        })
        .await
        .unwrap();

    for sort in SORTS {
        let expected = expected_order(tickets.clone(), sort);
        for limit in [1, 2, 3, 7, 39, 40, 41, 100] {
            let query = TicketQuery {
                sort,
                limit,
                customer: Some(cust),
                ..TicketQuery::default()
            };
            let got = numbers(&walk_pages(&db, query, &Visibility::All, tickets.len()).await);
            assert_eq!(got, expected, "sort {sort:?}, page size {limit}");
        }
    }
}

/// One generated ticket: small value ranges, so ties and every filter value are common.
#[derive(Debug, Clone)]
struct Spec {
    created: i64,
    updated: i64,
    priority: Priority,
    status: Status,
    kind: TicketKind,
    /// Index into the world's teams / agents.
    team: Option<usize>,
    assignee: Option<usize>,
    owner: Option<usize>,
}

/// One generated list request.
#[derive(Debug, Clone)]
struct Case {
    tickets: Vec<Spec>,
    sort: TicketSort,
    page: usize,
    statuses: Vec<Status>,
    /// `Some(None)`: unassigned; `Some(Some(i))`: agent i.
    assignee: Option<Option<usize>>,
    team: Option<usize>,
    priority: Option<Priority>,
    kind: Option<TicketKind>,
    /// `None`: sees all; `Some(teams)`: agent 0 in those teams.
    visibility: Option<Vec<usize>>,
}

const STATUSES: [Status; 3] = [Status::New, Status::Open, Status::Pending];
const KINDS: [TicketKind; 2] = [TicketKind::Consultation, TicketKind::Complaint];

fn spec() -> impl Strategy<Value = Spec> {
    (
        0i64..4,
        0i64..4,
        prop::sample::select(Priority::ALL),
        prop::sample::select(&STATUSES[..]),
        prop::sample::select(&KINDS[..]),
        prop::option::of(0usize..2),
        prop::option::of(0usize..2),
        prop::option::of(0usize..2),
    )
        .prop_map(|(created, updated, priority, status, kind, team, assignee, owner)| Spec {
            created,
            updated,
            priority,
            status,
            kind,
            team,
            assignee,
            owner,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(spec(), 0..30),
        prop::sample::select(&SORTS[..]),
        1usize..8,
        prop::sample::subsequence(&STATUSES[..], 0..=2),
        prop::option::weighted(0.3, prop::option::of(0usize..2)),
        prop::option::weighted(0.2, 0usize..2),
        prop::option::weighted(0.2, prop::sample::select(Priority::ALL)),
        prop::option::weighted(0.2, prop::sample::select(&KINDS[..])),
        prop::option::weighted(0.5, prop::sample::subsequence(vec![0usize, 1], 0..=2)),
    )
        .prop_map(|(tickets, sort, page, statuses, assignee, team, priority, kind, visibility)| Case {
            tickets,
            sort,
            page,
            statuses,
            assignee,
            team,
            priority,
            kind,
            visibility,
        })
}

/// The teams and agents generated tickets refer to (agent 0 is in team 0).
struct World {
    teams: [Id; 2],
    agents: [Id; 2],
}

/// Stores the case's tickets under a customer of their own, so cases share one database
/// without seeing each other, then checks every page against the expected list.
async fn check(db: &Db, world: &World, case: Case) -> Result<(), TestCaseError> {
    let cust = customer(db, "Generated", None).await.id;
    let (teams, agents) = (world.teams, world.agents);
    let specs = case.tickets.clone();
    let stored = db
        .write(move |tx| {
            Box::pin(async move {
                let mut out = Vec::new();
                for s in specs {
                    let new = NewTicket {
                        priority: s.priority,
                        kind: s.kind,
                        team_id: s.team.map(|i| teams[i]),
                        ..new_ticket(cust)
                    };
                    let mut t = insert_ticket(tx.exec(), &new, at(s.created)).await?;
                    t.status = s.status;
                    t.assignee_id = s.assignee.map(|i| agents[i]);
                    t.owner_id = s.owner.map(|i| agents[i]);
                    t.updated_at = at(s.updated);
                    update_ticket(tx.exec(), &t).await?;
                    out.push(t);
                }
                Ok::<_, StoreError>(out)
            })
        })
        .await
        .expect("store the case's tickets");

    let assignee = case
        .assignee
        .map(|a| a.map_or(AssigneeFilter::Unassigned, |i| AssigneeFilter::Agent(agents[i])));
    let query = TicketQuery {
        statuses: case.statuses.clone(),
        assignee,
        team: case.team.map(|i| teams[i]),
        priority: case.priority,
        kind: case.kind,
        category: None,
        tag: None,
        customer: Some(cust),
        owner: None,
        held_by_others: false,
        sla: None,
        sort: case.sort,
        after: None,
        limit: case.page,
    };
    let visibility = match &case.visibility {
        None => Visibility::All,
        Some(member_of) => Visibility::Agent {
            id: agents[0],
            teams: member_of.iter().map(|&i| teams[i]).collect(),
        },
    };

    // The rules as documented in kefu_domain::query, applied in memory.
    let visible = |t: &Ticket| match &visibility {
        Visibility::All => true,
        Visibility::Agent { id, teams } => {
            t.team_id.is_none_or(|team| teams.contains(&team)) || t.assignee_id == Some(*id) || t.owner_id == Some(*id)
        }
    };
    let matches = |t: &Ticket| {
        (query.statuses.is_empty() || query.statuses.contains(&t.status))
            && match query.assignee {
                None => true,
                Some(AssigneeFilter::Unassigned) => t.assignee_id.is_none(),
                Some(AssigneeFilter::Agent(id)) => t.assignee_id == Some(id),
            }
            && query.team.is_none_or(|team| t.team_id == Some(team))
            && query.priority.is_none_or(|p| t.priority == p)
            && query.kind.is_none_or(|k| t.kind == k)
    };
    let expected = expected_order(stored.into_iter().filter(|t| visible(t) && matches(t)).collect(), case.sort);

    let got = numbers(&walk_pages(db, query, &visibility, case.tickets.len()).await);
    prop_assert_eq!(got, expected);
    Ok(())
}

async fn random_lists_page_to_the_full_ordered_list(db: Db) {
    let a0 = agent(&db, "gen0@example.com").await;
    let a1 = agent(&db, "gen1@example.com").await;
    let world = World {
        teams: [team(&db, "Gen0", &[a0]).await, team(&db, "Gen1", &[a1]).await],
        agents: [a0, a1],
    };

    // Few cases by default to keep the suite fast; PROPTEST_CASES=500 for a deep run.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    // The runner is synchronous; each case blocks on the async check (the test runs on
    // a multi-threaded runtime, where block_in_place is allowed).
    // The failure (with the shrunk case) is turned into a message inside the closure:
    // proptest's error value is large, and only its text is wanted.
    let outcome = tokio::task::block_in_place(|| {
        runner
            .run(&case(), |case| handle.block_on(check(&db, &world, case)))
            .map_err(|failure| failure.to_string())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
