//! Callback campaigns (回访): a supervisor picks a segment of customers and a period; each
//! customer gets one call, spread over the period, assigned round robin to a team's
//! agents (or left for anyone to take). The agent enters the customer's answers in the
//! survey's form while on the phone, or records that nobody answered (tried again the
//! next day, up to three times) or that the customer refused.

use crate::error::{AppError, AppResult};
use crate::survey_mail::{self, Invitation, Mailing};
use crate::surveys::{AnswerReceipt, LINK_LIFETIME, check_reminder_days, record_answer};
use crate::{Actor, App, now};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use kefu_domain::entities::Id;
use kefu_domain::enums::{CustomerTier, CustomerType};
use kefu_domain::survey::callback::{
    Callback, CallbackOutcome, CallbackStatus, CampaignChannel, CampaignSummary, DEFAULT_QUIET_DAYS, Segment, after_attempt,
    spread_due_dates,
};
use kefu_domain::survey::{AnswerInput, DEFAULT_REMINDER_DAYS, Design, SendOrigin};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::callbacks::{self, CallbackQuery, NewCampaign};
use kefu_store::surveys::{self, NewSend};
use kefu_store::{Tx, customers, people};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// The longest campaign period.
const MAX_PERIOD_DAYS: i32 = 366;
/// The most customers one campaign calls.
const MAX_CUSTOMERS: i64 = 50_000;
const MAX_NOTE: usize = 2000;

/// A campaign to create.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CampaignInput {
    pub name: String,
    /// The survey asked on the phone (default `service5`).
    pub design: Option<String>,
    /// First and last day of calls (`2026-10-01`).
    pub starts_on: String,
    pub ends_on: String,
    pub tier: Option<String>,
    pub customer_type: Option<String>,
    /// Only customers with a ticket resolved in this many days.
    pub resolved_within_days: Option<i64>,
    /// Skip customers surveyed in this many days (default 90: about once a quarter).
    pub quiet_days: Option<i64>,
    /// At most this many customers (default and maximum 50,000).
    pub max_customers: Option<i64>,
    /// Assign the calls round robin to this team's members; without it anyone takes them.
    pub team: Option<Id>,
    /// `phone` (default): calls for agents to make; `email`: the survey is mailed to each
    /// customer of the segment with an address (needs mail settings), reminded once.
    pub channel: Option<String>,
    /// An e-mail campaign: days before the one reminder to customers who have not
    /// answered (default 3; 0: no reminder).
    pub reminder_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignCreated {
    pub id: Id,
    pub channel: CampaignChannel,
    /// Calls made for it (a phone campaign).
    pub callbacks: usize,
    /// Surveys mailed (an e-mail campaign).
    pub mailed: usize,
    /// Customers of the segment an e-mail campaign could not reach: no address.
    pub without_address: usize,
}

/// Which calls an agent lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallbackView {
    /// Mine, pending.
    Mine,
    /// Nobody's yet, pending.
    Unassigned,
    /// Everyone's, any status (supervisors).
    All,
}

/// A call with what the agent needs on the phone.
#[derive(Debug, Clone)]
pub struct CallbackDetail {
    pub callback: Callback,
    pub design: Design,
}

fn callback_not_found() -> AppError {
    AppError::NotFound {
        what: "callback",
        code: "callback_not_found",
    }
}

fn parse_day(field: &str, text: &str) -> Result<Date, FieldError> {
    text.trim()
        .parse()
        .map_err(|_| FieldError::new(field, "invalid_date", "a date such as 2026-10-01"))
}

fn today() -> Date {
    TimeZone::system().to_datetime(now()).date()
}

/// Whether `actor` may work on a call: theirs, nobody's, or any for supervisors.
fn may_work_on(actor: &Actor, callback: &Callback) -> bool {
    actor.is_supervisor() || callback.agent_id.is_none_or(|agent| agent == actor.id)
}

impl App {
    /// Creates a campaign and its calls (supervisors). Nothing is written when any field
    /// is wrong.
    pub async fn create_callback_campaign(&self, actor: &Actor, input: CampaignInput) -> AppResult<CampaignCreated> {
        actor.require_supervisor("create callback campaigns")?;
        let mut errors = FieldErrors::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new("name", "invalid_name", "1 to 200 characters"));
        }
        let starts = errors.take(parse_day("starts_on", &input.starts_on));
        let ends = errors.take(parse_day("ends_on", &input.ends_on));
        if let (Some(starts), Some(ends)) = (starts, ends)
            && (ends < starts || starts.until(ends).map_or(i32::MAX, |s| s.get_days()) > MAX_PERIOD_DAYS)
        {
            errors.push(FieldError::new(
                "ends_on",
                "invalid_period",
                "the period ends after it starts, within a year",
            ));
        }
        let tier = input
            .tier
            .as_deref()
            .filter(|t| !t.is_empty())
            .and_then(|t| errors.take(CustomerTier::parse("tier", t)));
        let customer_type = input
            .customer_type
            .as_deref()
            .filter(|t| !t.is_empty())
            .and_then(|t| errors.take(CustomerType::parse("customer_type", t)));
        let segment = Segment {
            tier,
            customer_type,
            resolved_within_days: input.resolved_within_days,
            quiet_days: input.quiet_days.unwrap_or(DEFAULT_QUIET_DAYS),
            max_customers: input.max_customers.unwrap_or(MAX_CUSTOMERS),
        };
        if segment.resolved_within_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            errors.push(FieldError::new("resolved_within_days", "out_of_range", "1 to 3650 days"));
        }
        if !(0..=3650).contains(&segment.quiet_days) {
            errors.push(FieldError::new("quiet_days", "out_of_range", "0 to 3650 days"));
        }
        if !(1..=MAX_CUSTOMERS).contains(&segment.max_customers) {
            errors.push(FieldError::new("max_customers", "out_of_range", "1 to 50000 customers"));
        }
        let reach = match input.channel.as_deref().map(str::trim) {
            None | Some("" | "phone") => Some(CampaignChannel::Phone),
            Some("email") => Some(CampaignChannel::Email),
            Some(_) => {
                errors.push(FieldError::new("channel", "invalid_channel", "phone or email"));
                None
            }
        };
        let reminder_days = input.reminder_days.unwrap_or(DEFAULT_REMINDER_DAYS);
        if let Err(error) = check_reminder_days(reminder_days) {
            errors.push(error);
        }
        let design_key = input.design.clone().unwrap_or_else(|| "service5".into());
        let design = surveys::latest_design(self.db().read(), &design_key).await?.filter(|d| d.active);
        if design.is_none() {
            errors.push(FieldError::new("design", "unknown_design", "no active survey design with this key"));
        }
        let agents = match input.team {
            Some(team) => match people::team_by_id(self.db().read(), team).await? {
                Some(team) => team.members,
                None => {
                    errors.push(FieldError::new("team", "unknown_team", "no such team"));
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (Some(starts), Some(ends), Some(design), Some(reach)) = (starts, ends, design, reach) else {
            return Err(AppError::Internal("checked fields missing".into()));
        };
        let mailer = match reach {
            CampaignChannel::Phone => None,
            CampaignChannel::Email => Some(self.survey_mailer().await?.ok_or_else(|| AppError::Conflict {
                code: "mail_not_configured",
                message: "this server sends no mail (KEFU_SMTP_URL is not set); make a phone campaign instead".into(),
            })?),
        };
        let by = actor.id;
        let created = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let campaign = NewCampaign {
                        name,
                        design_id: design.id,
                        segment: segment.clone(),
                        starts_on: starts,
                        ends_on: ends,
                        created_by: by,
                        channel: reach,
                        reminder_days,
                    };
                    let id = callbacks::insert_campaign(tx.exec(), &campaign, at).await?;
                    let chosen = callbacks::segment_customers(tx.exec(), &segment, at).await?;
                    let days = spread_due_dates(starts, ends, chosen.len());
                    // The link stays valid until a while after the last call.
                    let expires_at = ends
                        .to_datetime(jiff::civil::Time::midnight())
                        .to_zoned_datetime(TimeZone::system())
                        .map(|z| z.timestamp())
                        .unwrap_or(at)
                        .max(at)
                        + LINK_LIFETIME;
                    if let Some(mailer) = &mailer {
                        let invitation = Invitation::new(mailer, reminder_days);
                        let sending = CampaignSends {
                            campaign_id: id,
                            design: &design,
                            by,
                            expires_at,
                        };
                        let (mailed, without_address) = mail_to_segment(tx, invitation, &sending, &chosen, at).await?;
                        return Ok(CampaignCreated {
                            id,
                            channel: CampaignChannel::Email,
                            callbacks: 0,
                            mailed,
                            without_address,
                        });
                    }
                    for (i, ((customer, ticket), due)) in chosen.iter().zip(days).enumerate() {
                        let send = NewSend {
                            design_id: design.id,
                            ticket_id: *ticket,
                            customer_id: *customer,
                            origin: SendOrigin::Callback,
                            created_by: Some(by),
                            expires_at,
                            campaign_id: Some(id),
                        };
                        let send_id = surveys::insert_send(tx.exec(), &send, at).await?;
                        let agent = (!agents.is_empty()).then(|| agents[i % agents.len()]);
                        callbacks::insert_callback(tx.exec(), id, send_id, *customer, agent, due, at).await?;
                    }
                    Ok::<_, AppError>(CampaignCreated {
                        id,
                        channel: CampaignChannel::Phone,
                        callbacks: chosen.len(),
                        mailed: 0,
                        without_address: 0,
                    })
                })
            })
            .await?;
        if created.mailed > 0 {
            self.wake_mailer();
        }
        Ok(created)
    }

    /// The newest campaigns (at most `limit`, up to 200) with how many they reached and
    /// how many answered (supervisors).
    pub async fn callback_campaigns(&self, actor: &Actor, limit: i64) -> AppResult<Vec<CampaignSummary>> {
        actor.require_supervisor("see callback campaigns")?;
        Ok(callbacks::campaign_summaries(self.db().read(), limit.clamp(1, 200)).await?)
    }

    /// Calls to make: the agent's own or nobody's (pending, due by `due_by` if given), or
    /// everyone's for supervisors.
    pub async fn callbacks(&self, actor: &Actor, view: CallbackView, due_by: Option<Date>, limit: u64) -> AppResult<Vec<Callback>> {
        let (agent, status) = match view {
            CallbackView::Mine => (Some(Some(actor.id)), Some(CallbackStatus::Pending)),
            CallbackView::Unassigned => (Some(None), Some(CallbackStatus::Pending)),
            CallbackView::All => {
                actor.require_supervisor("see everyone's callbacks")?;
                (None, None)
            }
        };
        let query = CallbackQuery {
            agent,
            status,
            due_by,
            limit: limit.clamp(1, 500),
        };
        Ok(callbacks::callbacks(self.db().read(), &query).await?)
    }

    /// A call with its survey design, for the agent on the phone.
    pub async fn callback(&self, actor: &Actor, id: Id) -> AppResult<CallbackDetail> {
        let callback = callbacks::callback_by_id(self.db().read(), id)
            .await?
            .ok_or_else(callback_not_found)?;
        if !may_work_on(actor, &callback) {
            return Err(AppError::Forbidden("work on another agent's callback"));
        }
        let send = surveys::send_by_id(self.db().read(), callback.send_id)
            .await?
            .ok_or_else(callback_not_found)?;
        let design = surveys::design_by_id(self.db().read(), send.design_id)
            .await?
            .ok_or_else(callback_not_found)?;
        Ok(CallbackDetail { callback, design })
    }

    /// Records a call that gave no answers. The caller takes a call nobody had.
    pub async fn record_callback_attempt(
        &self,
        actor: &Actor,
        id: Id,
        outcome: CallbackOutcome,
        note: Option<String>,
    ) -> AppResult<Callback> {
        let note = checked_note(note)?;
        let actor = actor.clone();
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut callback = pending_callback(tx, &actor, id).await?;
                    let (status, attempts, next) = after_attempt(callback.attempts, outcome, today());
                    callback.status = status;
                    callback.attempts = attempts;
                    callback.due_on = next.unwrap_or(callback.due_on);
                    callback.last_attempt_at = Some(now());
                    callback.agent_id.get_or_insert(actor.id);
                    if note.is_some() {
                        callback.note = note;
                    }
                    callbacks::update_callback(tx.exec(), &callback, now()).await?;
                    Ok(callback)
                })
            })
            .await
    }

    /// Enters the answers the customer gave on the phone: recorded as the customer's,
    /// with the agent who entered them, in the same transaction that closes the call.
    pub async fn answer_callback(&self, actor: &Actor, id: Id, input: AnswerInput, note: Option<String>) -> AppResult<AnswerReceipt> {
        let note = checked_note(note)?;
        let detail = self.callback(actor, id).await?;
        if detail.callback.status != CallbackStatus::Pending {
            return Err(closed_callback());
        }
        let send = surveys::send_by_id(self.db().read(), detail.callback.send_id)
            .await?
            .ok_or_else(callback_not_found)?;
        let (design, answer) = self.checked_answer(&send, input).await?;
        let engine = self.engine();
        let actor = actor.clone();
        let recorded = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut callback = pending_callback(tx, &actor, id).await?;
                    let at = now();
                    let recorded = record_answer(tx, &engine, &send, &design, answer, Some(actor.id), at).await?;
                    callback.status = CallbackStatus::Answered;
                    callback.attempts += 1;
                    callback.last_attempt_at = Some(at);
                    callback.agent_id.get_or_insert(actor.id);
                    if note.is_some() {
                        callback.note = note;
                    }
                    callbacks::update_callback(tx.exec(), &callback, at).await?;
                    Ok::<_, AppError>(recorded)
                })
            })
            .await?;
        Ok(self.answered(recorded))
    }
}

fn closed_callback() -> AppError {
    AppError::Conflict {
        code: "callback_closed",
        message: "this callback has already been answered, refused or given up".into(),
    }
}

fn checked_note(note: Option<String>) -> AppResult<Option<String>> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(AppError::field("note", "too_long", "at most 2000 characters"));
    }
    Ok(note)
}

/// The call, read again inside the write: still pending and the actor's to work on.
async fn pending_callback(tx: &mut kefu_store::Tx, actor: &Actor, id: Id) -> AppResult<Callback> {
    let callback = callbacks::callback_by_id(tx.exec(), id).await?.ok_or_else(callback_not_found)?;
    if !may_work_on(actor, &callback) {
        return Err(AppError::Forbidden("work on another agent's callback"));
    }
    if callback.status != CallbackStatus::Pending {
        return Err(closed_callback());
    }
    Ok(callback)
}

/// What every send of a campaign shares.
struct CampaignSends<'a> {
    campaign_id: Id,
    design: &'a Design,
    by: Id,
    expires_at: Timestamp,
}

/// Mails the campaign's survey to each chosen customer with an address (in the
/// campaign's transaction); returns how many were mailed and how many had no address.
async fn mail_to_segment(
    tx: &mut Tx,
    invitation: Invitation<'_>,
    sending: &CampaignSends<'_>,
    chosen: &[(Id, Option<Id>)],
    at: Timestamp,
) -> AppResult<(usize, usize)> {
    let design = sending.design;
    let mut mailed = 0;
    for batch in chosen.chunks(500) {
        let ids: Vec<Id> = batch.iter().map(|(customer, _)| *customer).collect();
        let emails: HashMap<Id, String> = customers::customers_by_ids(tx.exec(), &ids)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.id, c.email?.as_str().to_owned())))
            .collect();
        let addressed: Vec<(&(Id, Option<Id>), &String)> = batch.iter().filter_map(|pick| Some((pick, emails.get(&pick.0)?))).collect();
        let sends: Vec<NewSend> = addressed
            .iter()
            .map(|((customer, ticket), _)| NewSend {
                design_id: design.id,
                // The latest ticket only gives the answer its slices (team, agent, ...).
                ticket_id: *ticket,
                customer_id: *customer,
                origin: SendOrigin::Campaign,
                created_by: Some(sending.by),
                expires_at: sending.expires_at,
                campaign_id: Some(sending.campaign_id),
            })
            .collect();
        let send_ids = surveys::insert_sends(tx.exec(), &sends, at).await?;
        let mailings: Vec<Mailing> = addressed
            .iter()
            .zip(send_ids)
            .map(|((_, email), send_id)| Mailing::campaign(invitation, send_id, &design.spec, email))
            .collect();
        survey_mail::invite(tx, &mailings, at).await?;
        mailed += mailings.len();
    }
    Ok((mailed, chosen.len() - mailed))
}
