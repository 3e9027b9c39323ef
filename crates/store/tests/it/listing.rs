//! The inbox list: each filter, the category subtree (and its LIKE escaping), what an
//! agent may see, each sort order, the `limit + 1` look-ahead and bad cursors. Paging
//! across many pages is in `pagination.rs`.

use crate::support::{add_category, agent, at, customer, new_ticket, team, ticket, ticket_with};
use kefu_domain::entities::{Id, Ticket, TicketNumber};
use kefu_domain::enums::{Priority, TicketKind};
use kefu_domain::query::{AssigneeFilter, TicketQuery, TicketSort, Visibility};
use kefu_domain::status::Status;
use kefu_store::Db;
use kefu_store::tickets::{NewTicket, list_tickets};

backend_tests!(
    each_filter_selects_its_rows,
    category_matches_its_subtree_only,
    category_filter_escapes_like_wildcards,
    agent_visibility_follows_teams_assignment_and_ownership,
    each_sort_orders_as_documented,
    a_page_asks_for_one_more_row,
    a_cursor_of_the_wrong_shape_matches_nothing,
);

/// The numbers of the tickets `query` lists for `visibility` (one page).
async fn numbers(db: &Db, query: TicketQuery, visibility: &Visibility) -> Vec<TicketNumber> {
    list_tickets(db.read(), &query, visibility)
        .await
        .expect("list")
        .iter()
        .map(|t| t.number)
        .collect()
}

fn query() -> TicketQuery {
    TicketQuery {
        sort: TicketSort::Created,
        limit: 100,
        ..TicketQuery::default()
    }
}

async fn each_filter_selects_its_rows(db: Db) {
    let alice = customer(&db, "Alice", None).await.id;
    let bob = customer(&db, "Bob", None).await.id;
    let a1 = agent(&db, "a1@example.com").await;
    let a2 = agent(&db, "a2@example.com").await;
    let t1 = team(&db, "T1", &[]).await;
    let t2 = team(&db, "T2", &[]).await;

    struct Spec {
        customer: Id,
        status: Status,
        assignee: Option<Id>,
        team: Option<Id>,
        priority: Priority,
        kind: TicketKind,
    }
    let specs = [
        Spec {
            customer: alice,
            status: Status::New,
            assignee: None,
            team: None,
            priority: Priority::Low,
            kind: TicketKind::Consultation,
        },
        Spec {
            customer: alice,
            status: Status::Open,
            assignee: Some(a1),
            team: Some(t1),
            priority: Priority::High,
            kind: TicketKind::Complaint,
        },
        Spec {
            customer: bob,
            status: Status::Pending,
            assignee: Some(a2),
            team: Some(t2),
            priority: Priority::High,
            kind: TicketKind::Complaint,
        },
        Spec {
            customer: bob,
            status: Status::Open,
            assignee: Some(a1),
            team: Some(t2),
            priority: Priority::Urgent,
            kind: TicketKind::AfterSales,
        },
        Spec {
            customer: alice,
            status: Status::Closed,
            assignee: None,
            team: Some(t1),
            priority: Priority::Normal,
            kind: TicketKind::Suggestion,
        },
    ];
    let mut n = Vec::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let new = NewTicket {
            priority: spec.priority,
            kind: spec.kind,
            team_id: spec.team,
            ..new_ticket(spec.customer)
        };
        let stored = ticket_with(&db, new, at(i as i64), move |t| {
            t.status = spec.status;
            t.assignee_id = spec.assignee;
        })
        .await;
        n.push(stored.number);
    }
    let all = &Visibility::All;

    assert_eq!(numbers(&db, query(), all).await, n, "no filter: everything");
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                statuses: vec![Status::Open],
                ..query()
            },
            all
        )
        .await,
        vec![n[1], n[3]]
    );
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                statuses: vec![Status::New, Status::Closed],
                ..query()
            },
            all
        )
        .await,
        vec![n[0], n[4]]
    );
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                statuses: vec![Status::Resolved],
                ..query()
            },
            all
        )
        .await,
        Vec::<i64>::new()
    );
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                assignee: Some(AssigneeFilter::Unassigned),
                ..query()
            },
            all
        )
        .await,
        vec![n[0], n[4]]
    );
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                assignee: Some(AssigneeFilter::Agent(a1)),
                ..query()
            },
            all
        )
        .await,
        vec![n[1], n[3]]
    );
    assert_eq!(numbers(&db, TicketQuery { team: Some(t2), ..query() }, all).await, vec![n[2], n[3]]);
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                priority: Some(Priority::High),
                ..query()
            },
            all
        )
        .await,
        vec![n[1], n[2]]
    );
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                kind: Some(TicketKind::Complaint),
                ..query()
            },
            all
        )
        .await,
        vec![n[1], n[2]]
    );
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                customer: Some(bob),
                ..query()
            },
            all
        )
        .await,
        vec![n[2], n[3]]
    );

    // Filters combine with AND.
    let combined = TicketQuery {
        statuses: vec![Status::Open, Status::Pending],
        assignee: Some(AssigneeFilter::Agent(a1)),
        team: Some(t2),
        priority: Some(Priority::Urgent),
        kind: Some(TicketKind::AfterSales),
        customer: Some(bob),
        ..query()
    };
    assert_eq!(numbers(&db, combined.clone(), all).await, vec![n[3]]);
    assert!(
        numbers(
            &db,
            TicketQuery {
                customer: Some(alice),
                ..combined
            },
            all
        )
        .await
        .is_empty()
    );
}

/// Tickets filed under each of `codes`, in order; returns their numbers.
async fn filed_under(db: &Db, codes: &[&str]) -> Vec<TicketNumber> {
    let cust = customer(db, "Filer", None).await.id;
    let mut out = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let new = NewTicket {
            category: Some((*code).to_owned()),
            ..new_ticket(cust)
        };
        out.push(ticket(db, new, at(i as i64)).await.number);
    }
    out
}

async fn category_matches_its_subtree_only(db: Db) {
    // A sibling whose code merely starts with the filter's code is not below it.
    add_category(&db, "consultation.orderly").await;
    let n = filed_under(
        &db,
        &[
            "consultation",
            "consultation.order",
            "consultation.orderly",
            "consultation.product",
            "complaint.attitude.slow",
            "complaint",
        ],
    )
    .await;
    let cat = |code: &str| TicketQuery {
        category: Some(code.to_owned()),
        ..query()
    };
    let all = &Visibility::All;

    assert_eq!(numbers(&db, cat("consultation"), all).await, n[..4]);
    assert_eq!(numbers(&db, cat("consultation.order"), all).await, vec![n[1]]);
    assert_eq!(numbers(&db, cat("complaint"), all).await, vec![n[4], n[5]]);
    assert_eq!(numbers(&db, cat("complaint.attitude"), all).await, vec![n[4]]);
    assert_eq!(numbers(&db, cat("complaint.attitude.slow"), all).await, vec![n[4]]);
    assert!(numbers(&db, cat("after_sales"), all).await.is_empty());
    assert!(
        numbers(&db, cat("consult"), all).await.is_empty(),
        "a prefix of a code is not a category"
    );
    // A ticket without a category matches no category filter.
    let cust = customer(&db, "Uncat", None).await.id;
    let uncategorised = ticket(&db, new_ticket(cust), at(100)).await.number;
    assert!(!numbers(&db, cat("consultation"), all).await.contains(&uncategorised));
}

async fn category_filter_escapes_like_wildcards(db: Db) {
    // If `_` or `%` reached LIKE unescaped, `after_sales` would also match `afterXsales.*`
    // and `50%_off` would match `50abc_off.*`. A backslash in a code must stay literal too.
    for code in [
        "afterxsales",
        "afterxsales.refund",
        "promo",
        "promo.50%_off",
        "promo.50%_off.vip",
        "promo.50abc_off",
        "promo.50abc_off.vip",
    ] {
        add_category(&db, code).await;
    }
    add_category(&db, r"promo.a\b").await;
    add_category(&db, r"promo.a\b.c").await;
    add_category(&db, r"promo.a\\b").await;
    add_category(&db, r"promo.a\\b.c").await;
    let n = filed_under(
        &db,
        &[
            "after_sales.refund",  // 0
            "afterxsales.refund",  // 1
            "promo.50%_off.vip",   // 2
            "promo.50abc_off.vip", // 3
            r"promo.a\b.c",        // 4
            r"promo.a\\b.c",       // 5
        ],
    )
    .await;
    let cat = |code: &str| TicketQuery {
        category: Some(code.to_owned()),
        ..query()
    };
    let all = &Visibility::All;

    assert_eq!(numbers(&db, cat("after_sales"), all).await, vec![n[0]]);
    assert_eq!(numbers(&db, cat("afterxsales"), all).await, vec![n[1]]);
    assert_eq!(numbers(&db, cat("promo.50%_off"), all).await, vec![n[2]]);
    assert_eq!(numbers(&db, cat("promo.50abc_off"), all).await, vec![n[3]]);
    assert_eq!(numbers(&db, cat(r"promo.a\b"), all).await, vec![n[4]]);
    assert_eq!(numbers(&db, cat(r"promo.a\\b"), all).await, vec![n[5]]);
    assert_eq!(numbers(&db, cat("promo"), all).await, n[2..]);
    assert!(numbers(&db, cat("%"), all).await.is_empty());
    assert!(numbers(&db, cat("_"), all).await.is_empty());
}

async fn agent_visibility_follows_teams_assignment_and_ownership(db: Db) {
    let cust = customer(&db, "Vis", None).await.id;
    let me = agent(&db, "me@example.com").await;
    let other = agent(&db, "other@example.com").await;
    let mine = team(&db, "Mine", &[me]).await;
    let theirs = team(&db, "Theirs", &[other]).await;

    let mut n = Vec::new();
    // (team, assignee, owner) of each ticket, and whether `me` in team `mine` sees it.
    let cases: [(Option<Id>, Option<Id>, Option<Id>); 6] = [
        (None, None, None),                       // 0 shared queue: visible
        (Some(mine), None, None),                 // 1 my team: visible
        (Some(theirs), None, None),               // 2 another team: hidden
        (Some(theirs), Some(me), None),           // 3 another team, assigned to me: visible
        (Some(theirs), Some(other), Some(me)),    // 4 another team, I own it: visible
        (Some(theirs), Some(other), Some(other)), // 5 another team's, theirs entirely: hidden
    ];
    for (i, (team_id, assignee, owner)) in cases.into_iter().enumerate() {
        let new = NewTicket {
            team_id,
            ..new_ticket(cust)
        };
        let stored = ticket_with(&db, new, at(i as i64), move |t| {
            t.assignee_id = assignee;
            t.owner_id = owner;
        })
        .await;
        n.push(stored.number);
    }
    let me_in_mine = Visibility::Agent { id: me, teams: vec![mine] };
    let me_alone = Visibility::Agent { id: me, teams: vec![] };
    let me_in_both = Visibility::Agent {
        id: me,
        teams: vec![mine, theirs],
    };

    assert_eq!(numbers(&db, query(), &Visibility::All).await, n);
    assert_eq!(numbers(&db, query(), &me_in_mine).await, vec![n[0], n[1], n[3], n[4]]);
    assert_eq!(
        numbers(&db, query(), &me_alone).await,
        vec![n[0], n[3], n[4]],
        "no teams: shared queue and own tickets"
    );
    assert_eq!(numbers(&db, query(), &me_in_both).await, n);

    // Filters narrow within what is visible, never widen it.
    let mine_only = TicketQuery {
        assignee: Some(AssigneeFilter::Agent(me)),
        ..query()
    };
    assert_eq!(
        numbers(&db, mine_only, &me_in_mine).await,
        vec![n[3]],
        "my own assignments skip the team check"
    );
    let others = TicketQuery {
        assignee: Some(AssigneeFilter::Agent(other)),
        ..query()
    };
    assert_eq!(numbers(&db, others.clone(), &me_in_mine).await, vec![n[4]]);
    assert_eq!(numbers(&db, others, &Visibility::All).await, vec![n[4], n[5]]);
    let their_team = TicketQuery {
        team: Some(theirs),
        ..query()
    };
    assert_eq!(numbers(&db, their_team, &me_in_mine).await, vec![n[3], n[4]]);
    let unassigned = TicketQuery {
        assignee: Some(AssigneeFilter::Unassigned),
        ..query()
    };
    assert_eq!(numbers(&db, unassigned, &me_in_mine).await, vec![n[0], n[1]]);

    // Another agent's view is the mirror image.
    let other_view = Visibility::Agent {
        id: other,
        teams: vec![theirs],
    };
    assert_eq!(numbers(&db, query(), &other_view).await, vec![n[0], n[2], n[3], n[4], n[5]]);
}

async fn each_sort_orders_as_documented(db: Db) {
    let cust = customer(&db, "Sort", None).await.id;
    // (created, updated, priority): ties on purpose, so the id decides.
    let specs = [
        (5, 50, Priority::Low),
        (1, 70, Priority::Urgent),
        (5, 50, Priority::Urgent),
        (3, 60, Priority::Normal),
        (1, 70, Priority::Low),
    ];
    let mut tickets: Vec<Ticket> = Vec::new();
    for (created, updated, priority) in specs {
        let new = NewTicket {
            priority,
            ..new_ticket(cust)
        };
        tickets.push(ticket_with(&db, new, at(created), move |t| t.updated_at = at(updated)).await);
    }
    let n: Vec<TicketNumber> = tickets.iter().map(|t| t.number).collect();
    // Ids and numbers rise together here, so ties break by number as well.
    let by = |sort| TicketQuery { sort, ..query() };
    let all = &Visibility::All;
    assert_eq!(numbers(&db, by(TicketSort::Created), all).await, vec![n[1], n[4], n[3], n[0], n[2]]);
    assert_eq!(
        numbers(&db, by(TicketSort::CreatedDesc), all).await,
        vec![n[2], n[0], n[3], n[4], n[1]]
    );
    assert_eq!(numbers(&db, by(TicketSort::Updated), all).await, vec![n[0], n[2], n[3], n[1], n[4]]);
    assert_eq!(
        numbers(&db, by(TicketSort::UpdatedDesc), all).await,
        vec![n[4], n[1], n[3], n[2], n[0]]
    );
    assert_eq!(
        numbers(&db, by(TicketSort::Priority), all).await,
        vec![n[1], n[2], n[3], n[4], n[0]],
        "most urgent, then oldest"
    );
    // The default order is newest first.
    assert_eq!(TicketQuery::default().sort, TicketSort::CreatedDesc);
    assert_eq!(
        numbers(
            &db,
            TicketQuery {
                limit: 100,
                ..TicketQuery::default()
            },
            all
        )
        .await,
        vec![n[2], n[0], n[3], n[4], n[1]]
    );
}

async fn a_page_asks_for_one_more_row(db: Db) {
    let cust = customer(&db, "Paged", None).await.id;
    for i in 0..5 {
        ticket(&db, new_ticket(cust), at(i)).await;
    }
    let all = &Visibility::All;
    let page = |limit| TicketQuery { limit, ..query() };
    // `limit + 1` rows when there are more, so the caller knows a next page exists.
    assert_eq!(numbers(&db, page(2), all).await.len(), 3);
    assert_eq!(numbers(&db, page(4), all).await.len(), 5);
    assert_eq!(numbers(&db, page(5), all).await.len(), 5);
    assert_eq!(numbers(&db, page(100), all).await.len(), 5);
    assert_eq!(numbers(&db, page(1), all).await, vec![1001, 1002]);
}

async fn a_cursor_of_the_wrong_shape_matches_nothing(db: Db) {
    let cust = customer(&db, "Cur", None).await.id;
    let t = ticket(&db, new_ticket(cust), at(0)).await;
    ticket(&db, new_ticket(cust), at(1)).await;
    let created = t.created_at.as_millisecond();
    let all = &Visibility::All;
    let after = |sort, cursor: Vec<i64>| TicketQuery {
        sort,
        after: Some(cursor),
        ..query()
    };
    assert_eq!(
        numbers(&db, after(TicketSort::Created, vec![created, t.id]), all).await,
        vec![1002],
        "a good cursor"
    );
    assert!(
        numbers(&db, after(TicketSort::Created, vec![1, created, t.id]), all)
            .await
            .is_empty()
    );
    assert!(numbers(&db, after(TicketSort::Priority, vec![created, t.id]), all).await.is_empty());
    assert!(numbers(&db, after(TicketSort::Updated, vec![]), all).await.is_empty());
    assert!(numbers(&db, after(TicketSort::UpdatedDesc, vec![created]), all).await.is_empty());
    // An empty cursor list is not "no cursor".
    assert!(numbers(&db, after(TicketSort::CreatedDesc, vec![]), all).await.is_empty());
}
