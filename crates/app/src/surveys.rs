//! Satisfaction surveys: designs and their versions, triggers after resolution, sending
//! with signed links, answering (a GET only shows the form; only a POST records an
//! answer, once), and the closed loop: a low score opens a complaint follow-up for the
//! team's supervisor.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::scheduler::TimerKind;
use crate::sla::Engine;
use crate::survey_mail::{self, Invitation, Mailing, SurveyMailer};
use crate::tickets::{CreatedBy, created_event, load_visible, record, save};
use crate::{Actor, App, now, secrets};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::{ActorRef, Customer, Id, Ticket, TicketNumber};
use kefu_domain::enums::{Channel, MessageKind, Priority, TicketKind};
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use kefu_domain::inbox;
use kefu_domain::status::Status;
use kefu_domain::survey::closing::{is_praise, named_agents};
use kefu_domain::survey::{
    Answer, AnswerFacts, AnswerInput, DEFAULT_REMINDER_DAYS, Design, DesignSpec, MAX_REMINDER_DAYS, SendOrigin, StoredAnswer, SurveySend,
    SurveyTrigger, builtin, parse_answer,
};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::surveys::{self, NewSend};
use kefu_store::tickets::{NewTicket, insert_ticket, ticket_by_id, tickets_by_ids};
use kefu_store::timeline::{events_of, insert_events, insert_message};
use kefu_store::timers::{self, Timer};
use kefu_store::{Tx, customers, inbox_counts, people};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a survey link's signature is for (a portal or reset link never verifies as one).
pub(crate) const LINK_PURPOSE: &str = "survey";
/// The name of the signing key in `app_secrets`.
const LINK_KEY: &str = "survey_link_key";
/// How long a survey link works.
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Bounds of a trigger's settings.
const MAX_DELAY_MINUTES: i64 = 30 * 24 * 60;
const MAX_QUIET_DAYS: i64 = 3650;

/// A sent survey and its link's token (the page is `/s/{token}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyLink {
    pub send: SurveySend,
    pub token: String,
}

/// A survey sent about a ticket, as the agent sees it: the link while it can still be
/// answered, and the answer once given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketSurvey {
    pub send: SurveySend,
    /// The link's token, while the survey is open.
    pub token: Option<String>,
    pub answer: Option<StoredAnswer>,
    /// The complaint a low score opened.
    pub followup_number: Option<TicketNumber>,
    /// Whether the link was mailed to the customer (else the agent passes it on).
    pub mailed: bool,
}

/// Whether a link's form can still be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormState {
    Open,
    Answered,
    Expired,
}

/// What a survey link opens.
#[derive(Debug, Clone)]
pub struct SurveyForm {
    pub send: SurveySend,
    pub design: Design,
    pub ticket: Option<(TicketNumber, String)>,
    pub state: FormState,
}

/// What answering did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnswerReceipt {
    pub answer_id: Id,
    pub score: Option<f64>,
    pub low: bool,
    /// The complaint ticket opened for a low score.
    pub followup: Option<TicketNumber>,
}

fn design_not_found() -> AppError {
    AppError::NotFound {
        what: "survey design",
        code: "survey_design_not_found",
    }
}

/// A reminder comes 0 (none) to [`MAX_REMINDER_DAYS`] days after the invitation, while
/// the link still has a day or more to live.
pub(crate) fn check_reminder_days(days: i64) -> Result<(), FieldError> {
    if (0..=MAX_REMINDER_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(FieldError::new(
            "reminder_days",
            "out_of_range",
            format!("0 (no reminder) to {MAX_REMINDER_DAYS} days"),
        ))
    }
}

fn survey_not_found() -> AppError {
    AppError::NotFound {
        what: "survey",
        code: "survey_not_found",
    }
}

fn invalid(errors: FieldErrors) -> AppError {
    AppError::Invalid(errors)
}

impl App {
    /// The key survey links are signed with: made once, shared by every node through
    /// the database, kept in memory after the first use.
    pub(crate) async fn survey_link_key(&self) -> AppResult<Arc<Vec<u8>>> {
        let key = self
            .survey_key
            .get_or_try_init(|| async {
                let fresh = secrets::new_link_key().map_err(|e| AppError::Internal(e.to_string()))?;
                let value = self
                    .db()
                    .write(move |tx| Box::pin(async move { surveys::app_secret(tx, LINK_KEY, &fresh).await }))
                    .await?;
                Ok::<_, AppError>(Arc::new(value.into_bytes()))
            })
            .await?;
        Ok(key.clone())
    }

    async fn survey_token(&self, send_id: Id) -> AppResult<String> {
        Ok(secrets::sign_link(&self.survey_link_key().await?, LINK_PURPOSE, send_id))
    }

    /// The send a token opens; an unsigned or unknown token is "not found".
    async fn send_of_token(&self, token: &str) -> AppResult<SurveySend> {
        let id = secrets::verify_link(&self.survey_link_key().await?, LINK_PURPOSE, token).ok_or_else(survey_not_found)?;
        surveys::send_by_id(self.db().read(), id).await?.ok_or_else(survey_not_found)
    }

    // ---- designs and triggers ----

    /// The newest version of every design.
    pub async fn survey_designs(&self, _actor: &Actor) -> AppResult<Vec<Design>> {
        Ok(surveys::latest_designs(self.db().read()).await?)
    }

    /// Every version of a design, newest first.
    pub async fn survey_design_versions(&self, _actor: &Actor, key: &str) -> AppResult<Vec<Design>> {
        let versions = surveys::design_versions(self.db().read(), key).await?;
        if versions.is_empty() {
            return Err(design_not_found());
        }
        Ok(versions)
    }

    /// Saves a design as its next version (a new key starts at 1). Admins only; the
    /// whole design is checked first and nothing is written if any part is wrong.
    pub async fn save_survey_design(&self, actor: &Actor, key: &str, spec: DesignSpec, active: bool) -> AppResult<Design> {
        actor.require_admin("edit survey designs")?;
        let mut errors = spec.validate().err().unwrap_or_default();
        if !valid_design_key(key) {
            errors.push(FieldError::new(
                "key",
                "invalid_key",
                "a design key is 1-40 lower-case letters, digits, - or _",
            ));
        }
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        let key = key.to_owned();
        let by = actor.id;
        let design = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let version = surveys::latest_design(tx.exec(), &key).await?.map_or(1, |d| d.version + 1);
                    let id = surveys::insert_design(tx.exec(), &key, version, &spec, active, Some(by), now()).await?;
                    let design = surveys::design_by_id(tx.exec(), id).await?.ok_or_else(design_not_found)?;
                    audit(tx, Some(by), "survey_design.save", ("survey_design", Some(id)), &design).await?;
                    Ok::<_, AppError>(design)
                })
            })
            .await?;
        Ok(design)
    }

    pub async fn survey_triggers(&self, actor: &Actor) -> AppResult<Vec<SurveyTrigger>> {
        actor.require_supervisor("see survey triggers")?;
        Ok(surveys::triggers(self.db().read()).await?)
    }

    /// Adds a trigger (`id` 0) or changes one. Admins only.
    pub async fn save_survey_trigger(&self, actor: &Actor, trigger: SurveyTrigger) -> AppResult<SurveyTrigger> {
        actor.require_admin("edit survey triggers")?;
        let mut errors = FieldErrors::default();
        if !(0..=MAX_DELAY_MINUTES).contains(&trigger.delay_minutes) {
            errors.push(FieldError::new("delay_minutes", "out_of_range", "0 to 43200 minutes (30 days)"));
        }
        if !(0..=MAX_QUIET_DAYS).contains(&trigger.quiet_days) {
            errors.push(FieldError::new("quiet_days", "out_of_range", "0 to 3650 days"));
        }
        if let Some(Err(error)) = trigger.reminder_days.map(check_reminder_days) {
            errors.push(error);
        }
        for (i, channel) in trigger.channels.iter().enumerate() {
            if let Err(error) = Channel::parse(&format!("channels[{i}]"), channel) {
                errors.push(error);
            }
        }
        if surveys::latest_design(self.db().read(), &trigger.design_key).await?.is_none() {
            errors.push(FieldError::new("design_key", "unknown_design", "no survey design with this key"));
        }
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        let by = actor.id;
        let saved = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut trigger = trigger;
                    // Left out: a trigger keeps its reminder delay, a new one gets the default.
                    if trigger.reminder_days.is_none() {
                        let stored = surveys::triggers(tx.exec()).await?.into_iter().find(|t| t.id == trigger.id);
                        trigger.reminder_days = Some(stored.and_then(|t| t.reminder_days).unwrap_or(DEFAULT_REMINDER_DAYS));
                    }
                    if trigger.id == 0 {
                        trigger.id = surveys::insert_trigger(tx.exec(), &trigger, now()).await?;
                    } else if !surveys::update_trigger(tx.exec(), &trigger, now()).await? {
                        return Err(AppError::NotFound {
                            what: "survey trigger",
                            code: "survey_trigger_not_found",
                        });
                    }
                    audit(tx, Some(by), "survey_trigger.save", ("survey_trigger", Some(trigger.id)), &trigger).await?;
                    Ok(trigger)
                })
            })
            .await?;
        Ok(saved)
    }

    // ---- sending ----

    /// Sends a survey about a ticket now (by default the design of the first trigger, or
    /// CSAT). Refused for a customer who has not consented. A mailed survey is reminded
    /// after the days of the first enabled trigger for its design (else the default).
    pub async fn send_survey(&self, actor: &Actor, number: TicketNumber, design_key: Option<String>) -> AppResult<SurveyLink> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        let triggers = surveys::triggers(self.db().read()).await?;
        let key = match design_key {
            Some(key) => key,
            None => triggers
                .iter()
                .find(|t| t.enabled)
                .map_or_else(|| builtin::CSAT.to_owned(), |t| t.design_key.clone()),
        };
        let reminder_days = triggers
            .iter()
            .find(|t| t.enabled && t.design_key == key)
            .and_then(|t| t.reminder_days)
            .unwrap_or(DEFAULT_REMINDER_DAYS);
        let design = surveys::latest_design(self.db().read(), &key)
            .await?
            .filter(|d| d.active)
            .ok_or_else(|| AppError::field("design_key", "unknown_design", "no active survey design with this key"))?;
        let customer = customers::customer_by_id(self.db().read(), ticket.customer_id)
            .await?
            .ok_or_else(|| AppError::Internal("ticket without its customer".into()))?;
        if customer.consent_at.is_none() {
            return Err(AppError::Conflict {
                code: "no_consent",
                message: "the customer has not consented to be contacted; record consent first".into(),
            });
        }
        let who = actor.id;
        let mailer = self.survey_mailer().await?;
        let (send, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let order = SendOrder {
                        ticket: &ticket,
                        customer: &customer,
                        design: &design,
                        invitation: mailer.as_ref().map(|mailer| Invitation::new(mailer, reminder_days)),
                    };
                    send_in(tx, order, SendOrigin::Manual, Some(who), at).await
                })
            })
            .await?;
        self.wake_mailer();
        self.publish(events);
        let token = self.survey_token(send.id).await?;
        Ok(SurveyLink { send, token })
    }

    /// The latest satisfaction score (0–100) of each of these tickets that has one, and
    /// whether it was low; tickets the actor may not see are left out.
    pub async fn ticket_scores(
        &self,
        actor: &Actor,
        tickets: &[kefu_domain::entities::Ticket],
    ) -> AppResult<std::collections::HashMap<Id, (f64, bool)>> {
        let ids: Vec<Id> = tickets.iter().filter(|t| actor.can_see(t)).map(|t| t.id).collect();
        let scores = kefu_store::surveys::latest_scores_of_tickets(self.db().read(), &ids).await?;
        Ok(scores.into_iter().map(|(ticket, score, low)| (ticket, (score, low))).collect())
    }

    /// The surveys sent about a ticket, newest first.
    pub async fn ticket_surveys(&self, actor: &Actor, number: TicketNumber) -> AppResult<Vec<TicketSurvey>> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        let (sends, events) = tokio::try_join!(
            surveys::sends_of_ticket(self.db().read(), ticket.id),
            events_of(self.db().read(), ticket.id, ticket.number),
        )?;
        // Whether a send was mailed is said by its `survey_sent` event.
        let mailed: std::collections::HashSet<i64> = events
            .iter()
            .filter(|e| e.kind == EventKind::SurveySent && e.data["mailed"] == true)
            .filter_map(|e| e.data["send_id"].as_i64())
            .collect();
        let mut out = Vec::with_capacity(sends.len());
        let at = now();
        for send in sends {
            let answer = match send.answered_at {
                Some(_) => surveys::answer_of_send(self.db().read(), send.id).await?,
                None => None,
            };
            let token = match send.answered_at.is_none() && send.expires_at > at {
                true => Some(self.survey_token(send.id).await?),
                false => None,
            };
            let followup_number = match answer.as_ref().and_then(|a| a.followup_ticket_id) {
                Some(id) => ticket_by_id(self.db().read(), id).await?.map(|t| t.number),
                None => None,
            };
            out.push(TicketSurvey {
                mailed: mailed.contains(&send.id),
                send,
                token,
                answer,
                followup_number,
            });
        }
        Ok(out)
    }

    /// The open survey a customer may answer about a ticket (for the portal), with its
    /// link's token.
    pub async fn open_survey_of_ticket(&self, ticket_id: Id) -> AppResult<Option<String>> {
        let at = now();
        let open = surveys::sends_of_ticket(self.db().read(), ticket_id)
            .await?
            .into_iter()
            .find(|s| s.answered_at.is_none() && s.expires_at > at);
        match open {
            Some(send) => Ok(Some(self.survey_token(send.id).await?)),
            None => Ok(None),
        }
    }

    // ---- answering ----

    /// What a link opens. Opening only shows the form (noted as opened); it never
    /// answers, so a mail scanner that follows every link records nothing.
    pub async fn open_survey(&self, token: &str) -> AppResult<SurveyForm> {
        let send = self.send_of_token(token).await?;
        let design = surveys::design_by_id(self.db().read(), send.design_id)
            .await?
            .ok_or_else(design_not_found)?;
        let ticket = match send.ticket_id {
            Some(id) => ticket_by_id(self.db().read(), id).await?.map(|t| (t.number, t.subject)),
            None => None,
        };
        let at = now();
        let state = if send.answered_at.is_some() {
            FormState::Answered
        } else if send.expires_at <= at {
            FormState::Expired
        } else {
            FormState::Open
        };
        if state == FormState::Open && send.opened_at.is_none() {
            let id = send.id;
            self.db()
                .write(move |tx| Box::pin(async move { surveys::mark_opened(tx.exec(), id, at).await }))
                .await?;
        }
        Ok(SurveyForm {
            send,
            design,
            ticket,
            state,
        })
    }

    /// Records the customer's answer to a link (or, with `entered_by`, the answers an
    /// agent took on a callback). Once: a second answer is refused and changes nothing.
    pub async fn answer_survey(&self, token: &str, input: AnswerInput, entered_by: Option<&Actor>) -> AppResult<AnswerReceipt> {
        let send = self.send_of_token(token).await?;
        let (design, answer) = self.checked_answer(&send, input).await?;
        let engine = self.engine();
        let entered_by = entered_by.map(|a| a.id);
        let at = now();
        let recorded = self
            .db()
            .write(move |tx| Box::pin(async move { record_answer(tx, &engine, &send, &design, answer, entered_by, at).await }))
            .await?;
        Ok(self.answered(recorded))
    }

    /// The send's design and the answer checked against it; refused when the send was
    /// answered already or has expired.
    pub(crate) async fn checked_answer(&self, send: &SurveySend, input: AnswerInput) -> AppResult<(Design, Answer)> {
        let design = surveys::design_by_id(self.db().read(), send.design_id)
            .await?
            .ok_or_else(design_not_found)?;
        if send.answered_at.is_some() {
            return Err(already_answered());
        }
        if send.expires_at <= now() {
            return Err(AppError::Conflict {
                code: "survey_expired",
                message: "this survey link has expired".into(),
            });
        }
        let answer = parse_answer(&design.spec, input).map_err(invalid)?;
        Ok((design, answer))
    }

    /// After an answer committed: routes its follow-up and publishes its events.
    pub(crate) fn answered(&self, (receipt, followup, events): Recorded) -> AnswerReceipt {
        if let Some(ticket) = &followup {
            self.routing_kicks(None, ticket);
        }
        self.publish(events);
        metrics::counter!("kefu_survey_answers_total").increment(1);
        receipt
    }
}

/// What recording an answer did: the receipt, the follow-up ticket, the events.
pub(crate) type Recorded = (AnswerReceipt, Option<Ticket>, Vec<TicketEvent>);

fn already_answered() -> AppError {
    AppError::Conflict {
        code: "survey_answered",
        message: "this survey has already been answered; thank you".into(),
    }
}

fn valid_design_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A survey to send about a ticket; with an invitation, mailed to its customer.
pub(crate) struct SendOrder<'a> {
    pub ticket: &'a Ticket,
    pub customer: &'a Customer,
    pub design: &'a Design,
    pub invitation: Option<Invitation<'a>>,
}

/// Writes a send and its event on the ticket; with an invitation, mails the link to the
/// customer (when they have an address) and schedules its reminder.
pub(crate) async fn send_in(
    tx: &mut Tx,
    order: SendOrder<'_>,
    origin: SendOrigin,
    by: Option<Id>,
    at: Timestamp,
) -> AppResult<(SurveySend, Vec<TicketEvent>)> {
    let mut sent = send_all(tx, std::slice::from_ref(&order), origin, by, at).await?;
    let (send, events) = sent.pop().ok_or_else(|| AppError::Internal("a send was not written".into()))?;
    Ok((send, events))
}

/// [`send_in`] for many surveys at once, each with its events: one statement for all the
/// sends, one for their mails, one for their reminders and one for their events.
pub(crate) async fn send_all(
    tx: &mut Tx,
    orders: &[SendOrder<'_>],
    origin: SendOrigin,
    by: Option<Id>,
    at: Timestamp,
) -> AppResult<Vec<(SurveySend, Vec<TicketEvent>)>> {
    let new: Vec<NewSend> = orders
        .iter()
        .map(|order| NewSend {
            design_id: order.design.id,
            ticket_id: Some(order.ticket.id),
            customer_id: order.ticket.customer_id,
            origin,
            created_by: by,
            expires_at: at + LINK_LIFETIME,
            campaign_id: None,
        })
        .collect();
    let ids = surveys::insert_sends(tx.exec(), &new, at).await?;
    let mailings: Vec<Mailing> = orders
        .iter()
        .zip(&ids)
        .filter_map(|(order, id)| Mailing::request(order.invitation?, *id, order.design, order.ticket, order.customer))
        .collect();
    survey_mail::invite(tx, &mailings, at).await?;
    let mailed: HashSet<Id> = mailings.iter().map(Mailing::send_id).collect();
    let actor = by.map_or(ActorRef::SYSTEM, ActorRef::agent);
    let events: Vec<NewEvent> = orders
        .iter()
        .zip(&ids)
        .map(|(order, id)| {
            let design = order.design;
            NewEvent::new(
                EventKind::SurveySent,
                actor,
                json!({ "send_id": id, "design": design.key, "version": design.version, "origin": origin, "mailed": mailed.contains(id) }),
            )
        })
        .collect();
    let pairs: Vec<(Id, &NewEvent)> = orders.iter().zip(&events).map(|(order, event)| (order.ticket.id, event)).collect();
    let event_ids = insert_events(tx.exec(), &pairs, at).await?;
    let mut sent = Vec::with_capacity(orders.len());
    for (((order, new), id), (event, event_id)) in orders.iter().zip(&new).zip(ids).zip(events.into_iter().zip(event_ids)) {
        let send = new.stored(id, &order.design.key, at)?;
        let stored = TicketEvent {
            id: event_id,
            ticket_number: order.ticket.number,
            kind: event.kind,
            actor: event.actor,
            data: event.data,
            at,
        };
        sent.push((send, vec![stored]));
    }
    Ok(sent)
}

/// The facts an answer is sliced by, from its ticket and customer.
fn facts_of(ticket: Option<&Ticket>, customer: Option<&Customer>) -> AnswerFacts {
    let custom = |name: &str| ticket.and_then(|t| t.custom.get(name)).and_then(|v| v.as_str()).map(str::to_owned);
    AnswerFacts {
        team_id: ticket.and_then(|t| t.team_id),
        agent_id: ticket.and_then(|t| t.assignee_id.or(t.owner_id)),
        channel: ticket.map(|t| t.channel.as_str().to_owned()),
        ticket_kind: ticket.map(|t| t.kind.as_str().to_owned()),
        customer_type: customer.and_then(|c| c.customer_type).map(|t| t.as_str().to_owned()),
        product: custom("product"),
        region: custom("region"),
        business_line: custom("business_line"),
    }
}

pub(crate) async fn record_answer(
    tx: &mut Tx,
    engine: &Engine,
    send: &SurveySend,
    design: &Design,
    answer: Answer,
    entered_by: Option<Id>,
    at: Timestamp,
) -> AppResult<Recorded> {
    // The guard against a double submit racing this one: only one marks it answered.
    if !surveys::mark_answered(tx.exec(), send.id, at).await? {
        return Err(already_answered());
    }
    let ticket = match send.ticket_id {
        Some(id) => ticket_by_id(tx.exec(), id).await?,
        None => None,
    };
    let customer = customers::customer_by_id(tx.exec(), send.customer_id).await?;
    let facts = facts_of(ticket.as_ref(), customer.as_ref());
    let answer_id = surveys::insert_answer(tx, send, &facts, &answer, entered_by, at).await?;
    if let Some(comment) = answer.comment.as_deref().filter(|_| is_praise(&answer)) {
        let agents: Vec<(Id, String)> = people::list_agents(tx.exec()).await?.into_iter().map(|a| (a.id, a.name)).collect();
        for agent in named_agents(comment, &agents) {
            surveys::insert_praise(tx.exec(), answer_id, agent, facts.team_id, comment, at).await?;
        }
    }
    let mut events = Vec::new();
    let mut followup = None;
    if let Some(ticket) = &ticket {
        let actor = entered_by.map_or(ActorRef::customer(ticket.customer_id), ActorRef::agent);
        events.extend(
            record(
                tx,
                ticket,
                &[NewEvent::new(
                    EventKind::SurveyAnswered,
                    actor,
                    json!({ "send_id": send.id, "answer_id": answer_id, "design": design.key, "score": answer.score, "low": answer.low }),
                )],
                at,
            )
            .await?,
        );
        if answer.low {
            let (opened, opened_events) = open_followup(tx, engine, ticket, design, &answer, at).await?;
            surveys::set_followup(tx.exec(), answer_id, opened.id).await?;
            events.extend(opened_events);
            followup = Some(opened);
        }
    }
    let receipt = AnswerReceipt {
        answer_id,
        score: answer.score,
        low: answer.low,
        followup: followup.as_ref().map(|t| t.number),
    };
    Ok((receipt, followup, events))
}

/// The complaint a low score opens: for the supervisor (lead) of the ticket's team,
/// linked to the ticket as its follow-up, carrying the answers, with an acknowledgement
/// the customer sees.
async fn open_followup(
    tx: &mut Tx,
    engine: &Engine,
    original: &Ticket,
    design: &Design,
    answer: &Answer,
    at: Timestamp,
) -> AppResult<(Ticket, Vec<TicketEvent>)> {
    let english = original.language.as_deref().is_some_and(|l| l.starts_with("en"));
    let language = if english { "en" } else { "zh-CN" };
    let subject = if english {
        format!("Low satisfaction score on #{}: {}", original.number, original.subject)
    } else {
        format!("满意度低分回访：#{} {}", original.number, original.subject)
    };
    let subject: String = subject.chars().take(250).collect();
    let new = NewTicket {
        subject,
        description: describe_answer(design, answer, language),
        kind: TicketKind::Complaint,
        channel: original.channel,
        priority: Priority::High,
        category: None,
        tags: vec!["survey_low_score".into()],
        customer_id: original.customer_id,
        team_id: original.team_id,
        expected_resolution: None,
        custom: Default::default(),
        follow_up_of: Some(original.number),
        language: original.language.clone(),
        required_skills: Vec::new(),
        sla: None,
    };
    let tier = crate::sla::tier_of(tx.exec(), engine, original.customer_id).await?;
    let new = NewTicket {
        sla: crate::sla::initial_clocks(engine, &crate::sla::preview(&new, at), tier),
        ..new
    };
    let mut ticket = insert_ticket(tx.exec(), &new, at).await?;
    inbox_counts::adjust_counts(tx.exec(), &inbox::deltas(None, &ticket)).await?;
    let acknowledgement = if english {
        "Thank you for your feedback. We are sorry we fell short; a supervisor will contact you about it."
    } else {
        "感谢您的反馈。很抱歉没有让您满意，我们的主管会尽快与您联系。"
    };
    insert_message(tx.exec(), ticket.id, MessageKind::System, ActorRef::SYSTEM, acknowledgement, at).await?;
    let mut created = created_event(CreatedBy::System, &ticket);
    created.data["follow_up_of"] = json!(original.number);
    created.data["survey"] = json!(design.key);
    let mut events = record(tx, &ticket, &[created], at).await?;
    events.extend(
        record(
            tx,
            original,
            &[NewEvent::new(
                EventKind::FollowUpCreated,
                ActorRef::SYSTEM,
                json!({ "follow_up": ticket.number, "survey": design.key }),
            )],
            at,
        )
        .await?,
    );
    let lead = match original.team_id {
        Some(team) => people::team_by_id(tx.exec(), team).await?.and_then(|t| t.lead_agent_id),
        None => None,
    };
    if let Some(lead) = lead {
        let before = ticket.clone();
        ticket.assignee_id = Some(lead);
        let assigned = vec![NewEvent::change(EventKind::Assigned, ActorRef::SYSTEM, None::<Id>, Some(lead))];
        events.extend(save(tx, engine, &before, &mut ticket, assigned, at).await?);
    }
    Ok((ticket, events))
}

/// The answers as text for the follow-up ticket: each rating with its band and reasons,
/// then the comment.
fn describe_answer(design: &Design, answer: &Answer, language: &str) -> String {
    let spec = &design.spec;
    let mut lines = vec![format!("{} (v{})", spec.name.get(language), design.version)];
    for rating in &answer.ratings {
        let question = spec.questions.iter().find(|q| q.key == rating.question);
        let band = spec.band_of(rating.value).map(|b| b.name.get(language)).unwrap_or_default();
        let mark = if spec.is_low(rating.value) { " ⚠" } else { "" };
        lines.push(format!(
            "- {}: {}/{} {band}{mark}",
            question.map_or(rating.question.as_str(), |q| q.text.get(language)),
            rating.value,
            spec.scale.max
        ));
        for (dimension, reason) in answer.reasons.iter().filter(|(d, _)| *d == rating.dimension) {
            let name = spec
                .dimension(dimension)
                .and_then(|d| d.reasons.iter().find(|r| &r.key == reason))
                .map_or(reason.as_str(), |r| r.name.get(language));
            lines.push(format!("  - {name}"));
        }
    }
    if let Some(score) = answer.score {
        lines.push(format!("= {score:.1} / 100"));
    }
    if let Some(comment) = &answer.comment {
        lines.push(String::new());
        lines.push(format!("> {}", comment.replace('\n', "\n> ")));
    }
    lines.join("\n")
}

/// After a ticket is resolved: schedules the survey of the first enabled trigger that
/// applies to its channel. Called in the resolving command's transaction.
pub(crate) async fn schedule_after_resolution(tx: &mut Tx, ticket: &Ticket, at: Timestamp) -> AppResult<()> {
    let triggers = surveys::triggers(tx.exec()).await?;
    let channel = ticket.channel.as_str();
    let Some(trigger) = triggers
        .into_iter()
        .find(|t| t.enabled && (t.channels.is_empty() || t.channels.iter().any(|c| c == channel)))
    else {
        return Ok(());
    };
    let due = at + SignedDuration::from_mins(trigger.delay_minutes);
    let timer = TimerKind::SurveyAfterResolution.timer(due, Some(ticket.id), json!({ "trigger_id": trigger.id }));
    timers::schedule(tx.exec(), &[timer], at).await?;
    Ok(())
}

/// Post-resolution survey timers fired (one scheduler pass's): sends each survey unless
/// its ticket was reopened, its trigger is gone or off, the customer has not consented or
/// was surveyed within the trigger's quiet days (also by an earlier timer of this pass),
/// or the design is gone or inactive. A mailed survey is reminded after the trigger's
/// days. Everything is read and written a pass at a time, not a timer at a time: the
/// pass runs in the scheduler's write transaction, which ticket creation waits for. The
/// surveys go after the pass's other timers, so a delayed rule that reopened the ticket
/// in the same pass is seen.
pub(crate) async fn send_after_resolution(
    tx: &mut Tx,
    mailer: Option<&SurveyMailer>,
    due: &[&Timer],
    now: Timestamp,
) -> AppResult<Vec<TicketEvent>> {
    let ticket_ids: Vec<Id> = due.iter().filter_map(|timer| timer.subject_id).collect();
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let tickets: HashMap<Id, Ticket> = tickets_by_ids(tx.exec(), &ticket_ids)
        .await?
        .into_iter()
        .filter(|t| matches!(t.status, Status::Resolved | Status::Closed))
        .map(|t| (t.id, t))
        .collect();
    let triggers = surveys::triggers(tx.exec()).await?;
    let mut customer_ids: Vec<Id> = tickets.values().map(|t| t.customer_id).collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    let customers: HashMap<Id, Customer> = customers::customers_by_ids(tx.exec(), &customer_ids)
        .await?
        .into_iter()
        .filter(|c| c.consent_at.is_some())
        .map(|c| (c.id, c))
        .collect();
    let mut last_sent = surveys::last_sends_to(tx.exec(), &customer_ids).await?;
    let mut designs: HashMap<&str, Option<Design>> = HashMap::new();
    for trigger in triggers.iter().filter(|t| t.enabled) {
        if !designs.contains_key(trigger.design_key.as_str()) {
            let design = surveys::latest_design(tx.exec(), &trigger.design_key).await?;
            designs.insert(&trigger.design_key, design.filter(|d| d.active));
        }
    }
    let mut orders = Vec::new();
    for timer in due {
        let Some(ticket) = timer.subject_id.and_then(|id| tickets.get(&id)) else {
            continue;
        };
        let trigger_id = timer.payload.get("trigger_id").and_then(|v| v.as_i64());
        let Some(trigger) = triggers.iter().find(|t| Some(t.id) == trigger_id && t.enabled) else {
            continue;
        };
        let Some(customer) = customers.get(&ticket.customer_id) else {
            continue;
        };
        if let Some(last) = last_sent.get(&customer.id)
            && now.duration_since(*last) < SignedDuration::from_hours(24 * trigger.quiet_days)
        {
            continue;
        }
        let Some(Some(design)) = designs.get(trigger.design_key.as_str()) else {
            continue;
        };
        last_sent.insert(customer.id, now);
        let reminder_days = trigger.reminder_days.unwrap_or(DEFAULT_REMINDER_DAYS);
        orders.push(SendOrder {
            ticket,
            customer,
            design,
            invitation: mailer.map(|mailer| Invitation::new(mailer, reminder_days)),
        });
    }
    let sent = send_all(tx, &orders, SendOrigin::Resolution, None, now).await?;
    Ok(sent.into_iter().flat_map(|(_, events)| events).collect())
}
