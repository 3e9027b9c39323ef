//! Ticket intake: creates that arrive together are written together. A create costs a
//! few statements, and on SQLite each statement is a hand-off to sqlx's connection thread
//! and back; under load those hand-offs, not SQLite, limit throughput. The intake
//! collects the creates waiting at one moment and writes them with one multi-row
//! statement per table (customers, tickets, events) in one command. Anything unusual
//! (a phone-only customer, an unknown team or category) is still decided per ticket, and
//! if the batch fails as a whole, each create is retried alone through the ordinary path,
//! so one bad request never fails its neighbours.

use crate::error::{AppError, AppResult};
use crate::sla::{self, Engine, EngineCache};
use crate::tickets::{CreatedBy, ParsedCreate, create_in, created_event, find_or_create_customer, with_requester};
use crate::{Actor, now};
use jiff::Timestamp;
use kefu_domain::entities::{Id, Ticket};
use kefu_domain::event::{NewEvent, TicketEvent};
use kefu_store::customers::upsert_customers_by_email;
use kefu_store::tickets::{insert_tickets, next_ticket_number};
use kefu_store::timeline::insert_events;
use kefu_store::{Db, Tx, categories, people};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most creates written in one command. Each batch size is a statement of its own
/// that the writer keeps prepared (three tables): 64 keeps them to ~200 statements and a
/// few megabytes, and a batch of 64 already spreads a commit's cost thin.
const MAX_BATCH: usize = 64;

/// One create's result: the ticket and its events, or why it was refused.
type CreateResult = AppResult<(Ticket, Vec<TicketEvent>)>;

type Reply = oneshot::Sender<CreateResult>;

struct Pending {
    actor: Actor,
    parsed: ParsedCreate,
    reply: Reply,
}

/// The handle use cases submit creates to.
#[derive(Clone)]
pub(crate) struct Intake {
    sender: mpsc::Sender<Pending>,
}

impl Intake {
    pub(crate) fn start(db: Db, engine: EngineCache) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, engine, receiver));
        Intake { sender }
    }

    /// Creates one ticket, batched with whatever else is being created right now; returns
    /// after the commit.
    pub(crate) async fn create(&self, actor: Actor, parsed: ParsedCreate) -> CreateResult {
        let (reply, answer) = oneshot::channel();
        let unavailable = || AppError::Unavailable(kefu_store::StoreError::WriterGone);
        self.sender
            .send(Pending { actor, parsed, reply })
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }
}

/// How many batches may be with the writer at once: while one commits, the next is
/// already queued behind it, so the writer never waits for the intake.
const IN_FLIGHT: usize = 2;

async fn run(db: Db, engine: EngineCache, mut receiver: mpsc::Receiver<Pending>) {
    let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    while let Some(first) = receiver.recv().await {
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        // Collect after the permit: whatever arrived while waiting joins this batch.
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let db = db.clone();
        let engine = engine.get();
        tokio::spawn(async move {
            write_batch(&db, engine, batch).await;
            drop(permit);
        });
    }
}

async fn write_batch(db: &Db, engine: Arc<Engine>, batch: Vec<Pending>) {
    let (requests, replies): (Vec<_>, Vec<_>) = batch.into_iter().map(|p| ((p.actor, p.parsed), p.reply)).unzip();
    let attempt = requests.clone();
    let for_batch = engine.clone();
    match db
        .write(move |tx| Box::pin(async move { create_many(tx, &for_batch, attempt).await }))
        .await
    {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            tracing::warn!(%error, creates = requests.len(), "batched create failed; creating one by one");
            let singles = requests.into_iter().zip(replies).map(|((actor, parsed), reply)| {
                let db = db.clone();
                let engine = engine.clone();
                async move {
                    let result = db
                        .write(move |tx| Box::pin(async move { create_in(tx, &engine, CreatedBy::Agent(&actor), parsed, now()).await }))
                        .await;
                    let _ = reply.send(result);
                }
            });
            futures::future::join_all(singles).await;
        }
    }
}

/// Creates every request in `tx`; the outer error fails the batch (and triggers the
/// one-by-one retry), the inner ones belong to single requests.
async fn create_many(tx: &mut Tx, engine: &Engine, requests: Vec<(Actor, ParsedCreate)>) -> AppResult<Vec<CreateResult>> {
    let at = now();
    let mut results: Vec<Option<CreateResult>> = (0..requests.len()).map(|_| None).collect();

    // References that may not exist: checked once per distinct value.
    let mut known_teams: HashMap<Id, bool> = HashMap::new();
    let mut known_categories: HashMap<String, bool> = HashMap::new();
    for (_, parsed) in &requests {
        if let Some(team) = parsed.new.team_id
            && !known_teams.contains_key(&team)
        {
            known_teams.insert(team, people::team_by_id(tx.exec(), team).await?.is_some());
        }
        if let Some(code) = &parsed.new.category
            && !known_categories.contains_key(code)
        {
            known_categories.insert(code.clone(), categories::category_exists(tx.exec(), code).await?);
        }
    }
    let mut accepted = Vec::with_capacity(requests.len());
    for (index, (actor, parsed)) in requests.into_iter().enumerate() {
        if parsed.new.team_id.is_some_and(|team| !known_teams[&team]) {
            results[index] = Some(Err(AppError::field("team", "unknown_team", "no such team")));
        } else if parsed.new.category.as_ref().is_some_and(|code| !known_categories[code]) {
            results[index] = Some(Err(AppError::field("category", "unknown_category", "no such category code")));
        } else {
            accepted.push((index, actor, parsed));
        }
    }

    // Customers: everyone with an e-mail in one upsert; the rare phone-only request alone.
    let mut by_email: HashMap<String, (String, kefu_domain::contact::Email, Option<kefu_domain::contact::Phone>)> = HashMap::new();
    for (_, _, parsed) in &accepted {
        if let Some(email) = &parsed.email {
            let name = parsed
                .customer_name
                .clone()
                .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());
            let entry = by_email
                .entry(email.as_str().to_owned())
                .or_insert_with(|| (name, email.clone(), None));
            if entry.2.is_none() {
                entry.2 = parsed.phone.clone();
            }
        }
    }
    let upserts: Vec<_> = by_email.into_values().collect();
    let customer_ids: HashMap<String, Id> = upsert_customers_by_email(tx.exec(), &upserts, at)
        .await?
        .into_iter()
        .map(|(id, email)| (email, id))
        .collect();
    let mut new_tickets = Vec::with_capacity(accepted.len());
    for (_, _, parsed) in &mut accepted {
        parsed.new.customer_id = match &parsed.email {
            Some(email) => *customer_ids
                .get(email.as_str())
                .ok_or_else(|| AppError::Internal("upserted customer missing".into()))?,
            None => find_or_create_customer(tx, parsed.customer_name.take(), None, parsed.phone.take(), at).await?,
        };
        let tier = sla::tier_of(tx.exec(), engine, parsed.new.customer_id).await?;
        parsed.new.sla = sla::initial_clocks(engine, &sla::preview(&parsed.new, at), tier);
        new_tickets.push(parsed.new.clone());
    }

    let first_number = next_ticket_number(tx.exec()).await?;
    let tickets = insert_tickets(tx.exec(), first_number, &new_tickets, at).await?;
    if tickets.len() != accepted.len() {
        return Err(AppError::Internal("batched insert returned a different number of tickets".into()));
    }
    kefu_store::inbox_counts::adjust_counts(tx.exec(), &kefu_domain::inbox::deltas_of_new(&tickets)).await?;
    let new_events: Vec<NewEvent> = accepted
        .iter()
        .zip(&tickets)
        .map(|((_, actor, parsed), ticket)| {
            with_requester(
                created_event(CreatedBy::Agent(actor), ticket),
                parsed.email.as_ref().map(|e| e.as_str()),
            )
        })
        .collect();
    let pairs: Vec<(Id, &NewEvent)> = tickets.iter().zip(&new_events).map(|(ticket, event)| (ticket.id, event)).collect();
    let event_ids = insert_events(tx.exec(), &pairs, at).await?;
    for ((((index, _, _), ticket), event), id) in accepted.iter().zip(tickets).zip(new_events).zip(event_ids) {
        let stored = stored_event(id, &ticket, event, at);
        results[*index] = Some(Ok((ticket, vec![stored])));
    }
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| AppError::Internal("a batched create got no result".into())))
        .collect()
}

fn stored_event(id: Id, ticket: &Ticket, event: NewEvent, at: Timestamp) -> TicketEvent {
    TicketEvent {
        id,
        ticket_number: ticket.number,
        kind: event.kind,
        actor: event.actor,
        data: event.data,
        at,
    }
}
