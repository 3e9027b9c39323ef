//! Row generation for the demo: plausible distributions, cheap to compute.

use super::corpus::{self, Lang};
use super::surveys::Resolved;
use fastrand::Rng;
use kefu_domain::category::SEED;
use kefu_domain::entities::Id;
use kefu_domain::enums::{ActorKind, Channel, CustomerTier, MessageKind, Priority, TicketKind};
use kefu_domain::event::EventKind;
use kefu_domain::status::Status;
use kefu_store::SimpleExpr;
use kefu_store::bulk::{Row, TableRows};
use serde_json::json;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The demo's business day follows China Standard Time (UTC+8).
const ZONE_OFFSET: i64 = 8 * HOUR;

/// The next free id of each table, and the last ticket number.
pub(super) struct Ids {
    pub customer: i64,
    pub ticket: i64,
    pub message: i64,
    pub event: i64,
    pub number: i64,
}

/// What generated tickets refer to.
pub(super) struct World {
    pub teams: Vec<Id>,
    /// Per team (same order as `teams`), its agents.
    pub agents: Vec<Vec<Id>>,
    pub first_customer: Id,
    pub customers: usize,
    pub now_ms: i64,
}

fn s(text: impl Into<String>) -> SimpleExpr {
    SimpleExpr::from(text.into())
}
fn i(n: i64) -> SimpleExpr {
    SimpleExpr::from(n)
}
fn oi(n: Option<i64>) -> SimpleExpr {
    SimpleExpr::from(n)
}

/// Picks from `(value, weight)` pairs.
fn weighted<T: Copy>(rng: &mut Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.u32(0..total);
    for (value, weight) in table {
        if pick < *weight {
            return *value;
        }
        pick -= weight;
    }
    table[table.len() - 1].0
}

pub(super) fn customers(rng: &mut Rng, ids: &mut Ids, n: usize, now_ms: i64) -> TableRows {
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        ids.customer += 1;
        let id = ids.customer;
        let lang = if rng.u8(0..10) < 7 { Lang::Zh } else { Lang::En };
        let tier = weighted(
            rng,
            &[(CustomerTier::Normal, 85), (CustomerTier::Vip, 12), (CustomerTier::KeyAccount, 3)],
        );
        let domain = if lang == Lang::Zh { "example.cn" } else { "example.com" };
        let organization = (rng.u8(0..10) < 4).then(|| corpus::organization(rng, lang).to_owned());
        let created = now_ms - rng.i64(0..365) * DAY;
        let consent = (rng.u8(0..10) < 8).then_some(created);
        rows.push(vec![
            i(id),
            s(corpus::person_name(rng, lang)),
            s(format!("c{id}@{domain}")),
            s(format!("1{}{:09}", [3, 5, 8][rng.usize(0..3)], rng.u32(0..1_000_000_000))),
            SimpleExpr::from(organization),
            s(tier.as_str()),
            s("{}"),
            s(if tier == CustomerTier::Normal { "[]" } else { "[\"vip\"]" }),
            oi(consent),
            s("{}"),
            i(created),
            i(created),
        ]);
    }
    TableRows {
        table: "customers",
        columns: &[
            "id",
            "name",
            "email",
            "phone",
            "organization",
            "tier",
            "external_ids",
            "tags",
            "consent_at",
            "custom",
            "created_at",
            "updated_at",
        ],
        rows,
    }
}

/// Hour-of-day weights (local time): quiet at night, peaks late morning and mid-afternoon.
const HOURS: [u32; 24] = [2, 1, 1, 1, 1, 2, 4, 8, 15, 22, 26, 25, 18, 20, 24, 25, 22, 17, 12, 10, 9, 8, 6, 4];

/// A creation time in the last 90 days: weekdays busier than weekends, days busier than
/// nights, slightly more recent than old.
fn created_at(rng: &mut Rng, now_ms: i64) -> i64 {
    let today = (now_ms + ZONE_OFFSET).div_euclid(DAY) * DAY - ZONE_OFFSET;
    loop {
        let days_ago = rng.i64(0..90);
        let day = today - days_ago * DAY;
        // 1970-01-01 was a Thursday: 0 = Thursday ... 2 = Saturday, 3 = Sunday.
        let weekday = (day + ZONE_OFFSET).div_euclid(DAY).rem_euclid(7);
        let weekend = weekday == 2 || weekday == 3;
        let keep = if weekend { 55 } else { 100 } - days_ago as u32 / 6;
        if rng.u32(0..100) >= keep {
            continue;
        }
        let hour = weighted(rng, &HOURS.iter().enumerate().map(|(h, w)| (h as i64, *w)).collect::<Vec<_>>());
        let at = day + hour * HOUR + rng.i64(0..HOUR);
        if at < now_ms {
            return at;
        }
    }
}

fn leaf_categories(prefix: &str) -> Vec<&'static str> {
    SEED.iter()
        .map(|c| c.code)
        .filter(|code| code.starts_with(prefix) && code.matches('.').count() == if prefix == "complaint" { 2 } else { 1 })
        .collect()
}

/// Creation times for `n` tickets, oldest first. Tickets are made in time order, so ids
/// and numbers grow with time as in a real helpdesk, and the time-ordered indexes are
/// appended to rather than written at random (which makes loading much faster).
pub(super) fn creation_times(rng: &mut Rng, n: usize, now_ms: i64) -> Vec<i64> {
    let mut times: Vec<i64> = (0..n).map(|_| created_at(rng, now_ms)).collect();
    times.sort_unstable();
    times
}

/// One ticket (with its messages and events) per entry of `created`.
/// The rows of tickets created at `created`, and the facts of those resolved (for the
/// demo's surveys).
pub(super) fn tickets(rng: &mut Rng, ids: &mut Ids, world: &World, created: &[i64]) -> (Vec<TableRows>, Vec<Resolved>) {
    let n = created.len();
    let kinds = [
        TicketKind::Consultation,
        TicketKind::AfterSales,
        TicketKind::Complaint,
        TicketKind::FieldService,
        TicketKind::Suggestion,
    ];
    let categories: Vec<Vec<&'static str>> = kinds.iter().map(|k| leaf_categories(k.as_str())).collect();
    let mut tickets = Vec::with_capacity(n);
    let mut messages = Vec::with_capacity(n * 2);
    let mut events = Vec::with_capacity(n * 4);
    let mut resolved_tickets = Vec::new();
    for &created in created {
        ids.ticket += 1;
        ids.number += 1;
        let id = ids.ticket;
        let lang = if rng.u8(0..10) < 7 { Lang::Zh } else { Lang::En };
        // The last day carries a forming hot issue: one ticket in eight is about the S3
        // watch that stopped turning on after a firmware update.
        let surge = world.now_ms - created < DAY && rng.u8(0..8) == 0;
        let kind_index = if surge {
            1
        } else {
            weighted(rng, &[(0usize, 40), (1, 25), (2, 15), (3, 12), (4, 8)])
        };
        let kind = kinds[kind_index];
        let category = if surge {
            "after_sales.repair"
        } else {
            categories[kind_index][rng.usize(0..categories[kind_index].len())]
        };
        let channel = weighted(
            rng,
            &[
                (Channel::Web, 25),
                (Channel::Email, 20),
                (Channel::Chat, 25),
                (Channel::Phone, 15),
                (Channel::Wechat, 12),
                (Channel::Api, 3),
            ],
        );
        let priority = if kind == TicketKind::Complaint {
            weighted(rng, &[(Priority::Normal, 45), (Priority::High, 40), (Priority::Urgent, 15)])
        } else {
            weighted(
                rng,
                &[
                    (Priority::Low, 15),
                    (Priority::Normal, 62),
                    (Priority::High, 18),
                    (Priority::Urgent, 5),
                ],
            )
        };
        let team_index = match kind {
            TicketKind::Consultation | TicketKind::Complaint => 0,
            TicketKind::AfterSales if category == "after_sales.refund" => 3,
            TicketKind::AfterSales if category == "after_sales.repair" => 1,
            TicketKind::AfterSales => 2,
            TicketKind::FieldService => 6,
            TicketKind::Suggestion => 4 + rng.usize(0..2),
        };
        let age = world.now_ms - created;
        let status = if age < DAY {
            weighted(
                rng,
                &[
                    (Status::New, 35),
                    (Status::Open, 35),
                    (Status::Pending, 15),
                    (Status::OnHold, 5),
                    (Status::Resolved, 10),
                ],
            )
        } else if age < 7 * DAY {
            weighted(
                rng,
                &[
                    (Status::New, 4),
                    (Status::Open, 20),
                    (Status::Pending, 15),
                    (Status::OnHold, 6),
                    (Status::Resolved, 40),
                    (Status::Closed, 15),
                ],
            )
        } else {
            weighted(
                rng,
                &[
                    (Status::Open, 3),
                    (Status::Pending, 2),
                    (Status::Resolved, 15),
                    (Status::Closed, 80),
                ],
            )
        };
        let customer = world.first_customer + rng.i64(0..world.customers as i64);
        let (product, (subject, description)) = if surge {
            (corpus::SURGE_PRODUCT, corpus::surge_text(rng, lang))
        } else {
            let product = corpus::product(rng, lang);
            (
                corpus::catalogue_name(product),
                corpus::ticket_text(rng, lang, kind.as_str(), category, product),
            )
        };
        let tags: Vec<&str> = if surge {
            vec!["firmware_3_2"]
        } else if priority == Priority::Urgent {
            vec!["urgent"]
        } else {
            vec![]
        };
        let expected =
            (kind == TicketKind::Complaint || rng.u8(0..4) == 0).then(|| corpus::expected_resolution(rng, lang, kind.as_str()).to_owned());

        let mut team = team_index;
        let agents = &world.agents[team];
        let first_agent = agents[rng.usize(0..agents.len())];
        // Events without an agent are the customer's (creating the ticket) or Kefu's own
        // (closing a resolved ticket).
        let mut event = |events: &mut Vec<Row>, kind: EventKind, actor: Option<Id>, data: String, at: i64| {
            ids.event += 1;
            let actor_kind = match (actor, kind) {
                (Some(_), _) => ActorKind::Agent,
                (None, EventKind::StatusChanged) => ActorKind::System,
                (None, _) => ActorKind::Customer,
            };
            let actor_id = actor.or((actor_kind == ActorKind::Customer).then_some(customer));
            events.push(vec![
                i(ids.event),
                i(id),
                s(kind.as_str()),
                s(actor_kind.as_str()),
                oi(actor_id),
                s(data),
                i(at),
            ]);
        };
        event(
            &mut events,
            EventKind::Created,
            None,
            json!({ "subject": subject, "kind": kind, "channel": channel, "priority": priority, "customer_id": customer,
                    "team_id": world.teams[team_index], "category": category, "tags": tags, "product": product })
            .to_string(),
            created,
        );

        let (mut assignee, mut owner, mut first_reply, mut resolved, mut transfers, mut has_reply) = (None, None, None, None, 0, false);
        let mut updated = created;
        if status != Status::New || rng.bool() {
            // Someone took it: first-contact owner from then on.
            let taken = created + rng.i64(MINUTE / 2..30 * MINUTE);
            assignee = Some(first_agent);
            owner = Some(first_agent);
            event(
                &mut events,
                EventKind::Assigned,
                Some(first_agent),
                format!(r#"{{"before":null,"after":{first_agent}}}"#),
                taken,
            );
            updated = taken;
        }
        if status != Status::New {
            let wait = match channel {
                Channel::Chat => rng.i64(10_000..180_000),
                Channel::Email => rng.i64(30 * MINUTE..20 * HOUR),
                _ => rng.i64(MINUTE..60 * MINUTE),
            };
            let at = created + wait;
            ids.message += 1;
            messages.push(vec![
                i(ids.message),
                i(id),
                s(MessageKind::Reply.as_str()),
                s("agent"),
                i(first_agent),
                s(corpus::agent_reply(rng, lang, kind.as_str())),
                i(at),
            ]);
            event(
                &mut events,
                EventKind::MessageAdded,
                Some(first_agent),
                format!(r#"{{"message_id":{},"kind":"reply"}}"#, ids.message),
                at,
            );
            event(
                &mut events,
                EventKind::StatusChanged,
                Some(first_agent),
                r#"{"before":"new","after":"open"}"#.into(),
                at,
            );
            first_reply = Some(at);
            has_reply = true;
            updated = at;
            if rng.u8(0..10) < 3 {
                let later = at + rng.i64(5 * MINUTE..6 * HOUR);
                ids.message += 1;
                messages.push(vec![
                    i(ids.message),
                    i(id),
                    s(MessageKind::Customer.as_str()),
                    s("customer"),
                    i(customer),
                    s(corpus::customer_follow_up(rng, lang)),
                    i(later),
                ]);
                event(
                    &mut events,
                    EventKind::MessageAdded,
                    None,
                    format!(r#"{{"message_id":{},"kind":"customer"}}"#, ids.message),
                    later,
                );
                updated = later;
            }
            if rng.u8(0..10) < 2 {
                let later = updated + rng.i64(MINUTE..2 * HOUR);
                ids.message += 1;
                messages.push(vec![
                    i(ids.message),
                    i(id),
                    s(MessageKind::Note.as_str()),
                    s("agent"),
                    i(first_agent),
                    s(corpus::internal_note(rng, lang)),
                    i(later),
                ]);
                event(
                    &mut events,
                    EventKind::MessageAdded,
                    Some(first_agent),
                    format!(r#"{{"message_id":{},"kind":"note"}}"#, ids.message),
                    later,
                );
                updated = later;
            }
            if rng.u8(0..100) < 12 {
                // Handed to another department; the owner stays and keeps tracking it.
                let to_team = (team + 1 + rng.usize(0..world.teams.len() - 1)) % world.teams.len();
                let to_agent = world.agents[to_team][rng.usize(0..world.agents[to_team].len())];
                let later = updated + rng.i64(10 * MINUTE..4 * HOUR);
                let reason = corpus::transfer_reason(rng, lang).replace('"', "'");
                transfers = 1;
                event(
                    &mut events,
                    EventKind::Transferred,
                    Some(first_agent),
                    format!(
                        r#"{{"from":{{"agent":{first_agent},"team":{}}},"to":{{"agent":{to_agent},"team":{}}},"reason":"{reason}","count":1}}"#,
                        world.teams[team], world.teams[to_team]
                    ),
                    later,
                );
                team = to_team;
                assignee = Some(to_agent);
                updated = later;
            }
            if matches!(status, Status::Resolved | Status::Closed | Status::Pending | Status::OnHold) {
                let later = (updated + rng.i64(10 * MINUTE..48 * HOUR)).min(world.now_ms - 1);
                let actor = assignee.unwrap_or(first_agent);
                event(
                    &mut events,
                    EventKind::StatusChanged,
                    Some(actor),
                    format!(
                        r#"{{"before":"open","after":"{}"}}"#,
                        if status == Status::Closed { "resolved" } else { status.as_str() }
                    ),
                    later,
                );
                if matches!(status, Status::Resolved | Status::Closed) {
                    resolved = Some(later);
                }
                updated = later;
                if status == Status::Closed {
                    let closed = (later + 3 * DAY).min(world.now_ms - 1);
                    event(
                        &mut events,
                        EventKind::StatusChanged,
                        None,
                        r#"{"before":"resolved","after":"closed"}"#.into(),
                        closed,
                    );
                    updated = closed;
                }
            }
        }
        if let Some(resolved_at) = resolved {
            resolved_tickets.push(Resolved {
                ticket: id,
                customer,
                team: world.teams[team],
                agent: assignee,
                channel: channel.as_str(),
                kind: kind.as_str(),
                field_service: kind == TicketKind::FieldService,
                resolved_at,
                lang,
            });
        }
        tickets.push(vec![
            i(id),
            i(ids.number),
            s(subject),
            s(description),
            s(kind.as_str()),
            s(channel.as_str()),
            s(status.as_str()),
            SimpleExpr::from(priority.rank()),
            s(category),
            s(json!(tags).to_string()),
            i(customer),
            i(world.teams[team]),
            oi(assignee),
            oi(owner),
            SimpleExpr::from(expected),
            s(json!({ "product": product }).to_string()),
            i(transfers),
            SimpleExpr::from(has_reply),
            i(created),
            i(updated.min(world.now_ms)),
            oi(first_reply),
            oi(resolved),
        ]);
    }
    let tables = vec![
        TableRows {
            table: "tickets",
            columns: &[
                "id",
                "number",
                "subject",
                "description",
                "kind",
                "channel",
                "status",
                "priority",
                "category",
                "tags",
                "customer_id",
                "team_id",
                "assignee_id",
                "owner_id",
                "expected_resolution",
                "custom",
                "transfer_count",
                "has_public_reply",
                "created_at",
                "updated_at",
                "first_reply_at",
                "resolved_at",
            ],
            rows: tickets,
        },
        TableRows {
            table: "messages",
            columns: &["id", "ticket_id", "kind", "author_kind", "author_id", "body", "created_at"],
            rows: messages,
        },
        TableRows {
            table: "ticket_events",
            columns: &["id", "ticket_id", "kind", "actor_kind", "actor_id", "data", "created_at"],
            rows: events,
        },
    ];
    (tables, resolved_tickets)
}
