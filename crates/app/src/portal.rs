//! The public customer portal: a customer submits a request with a web form, gets the
//! number and a private tracking link, follows the conversation, replies and can mark the
//! request solved. The link's token is random (256 bits) and stored hashed; it opens that
//! one ticket's public side (no internal notes) and nothing else.

use crate::attachments::Files;
use crate::error::{AppError, AppResult};
use crate::limits::WindowCounter;
use crate::tickets::{CreateTicket, CreatedBy, CustomerRef, create_in, customer_message, parse_create, save};
use crate::{App, mail, now, secrets};
use kefu_domain::attachment::{self, AttachmentInfo, Upload};
use kefu_domain::entities::{ActorRef, Message, Ticket, TicketNumber};
use kefu_domain::event::{EventKind, NewEvent};
use kefu_domain::status;
use kefu_store::attachments::attachments_of;
use kefu_store::portal_links::{insert_portal_link, ticket_of_portal_link};
use kefu_store::tickets::ticket_by_id;
use kefu_store::timeline::messages_of;
use std::time::Duration;

/// Requests one address may submit per hour, and messages it may send on tracking links.
const SUBMISSIONS_PER_HOUR: u32 = 10;
const REPLIES_PER_HOUR: u32 = 60;

pub(crate) struct PortalLimits {
    submissions: WindowCounter,
    replies: WindowCounter,
}

impl Default for PortalLimits {
    fn default() -> Self {
        PortalLimits {
            submissions: WindowCounter::new(Duration::from_secs(3600)),
            replies: WindowCounter::new(Duration::from_secs(3600)),
        }
    }
}

/// What the portal's form sends.
#[derive(Debug, Clone, Default)]
pub struct PortalRequest {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub kind: String,
    /// A category code from [`App::portal_categories`]; empty when the customer is unsure.
    pub category: String,
    pub subject: String,
    pub description: String,
    /// A field people never see and bots fill in.
    pub honeypot: String,
    /// Files sent with the request (screenshots, invoices, ...).
    pub attachments: Vec<Upload>,
    /// Where the request came from (for the rate limit).
    pub address: String,
}

/// A submitted request: its number and the private link's token (shown once).
#[derive(Debug, Clone)]
pub struct PortalReceipt {
    pub number: TicketNumber,
    pub token: String,
}

/// The customer's side of a ticket.
#[derive(Debug, Clone)]
pub struct PortalTicket {
    pub ticket: Ticket,
    /// Public messages only: the customer's, agents' replies, system and bot messages,
    /// each with its files.
    pub messages: Vec<Message>,
    /// Files sent with the request itself.
    pub attachments: Vec<AttachmentInfo>,
    /// The request this one was merged into: replies on this link are added there.
    pub merged_into: Option<TicketNumber>,
}

/// The mail that tells a customer their request arrived, with its private link, in
/// Chinese and English.
fn receipt(department: &str, ticket: &Ticket, link: &str) -> (String, String) {
    let (number, subject) = (ticket.number, ticket.subject.as_str());
    let mail_subject = format!("[#{number}] {department}：已收到您的请求 / We have your request");
    let body = format!(
        "您好！\n\n我们已收到您的请求 #{number}「{subject}」。在下面的私人链接查看进展、补充信息，或告诉我们问题已解决：\n{link}\n\n\
         请不要转发此链接：拿到它的人都能看到这个请求。\n\n---\n\n\
         Hello,\n\nWe have your request #{number} \"{subject}\". Follow it, add information or tell us it is solved at this private link:\n{link}\n\n\
         Please do not forward it: whoever has it can read this request.\n\n{department}\n"
    );
    (mail_subject, body)
}

/// What a customer gets for a request they may not open: the same as for none at all.
pub(crate) fn request_not_found() -> AppError {
    AppError::NotFound {
        what: "request",
        code: "request_not_found",
    }
}

fn rate_limited(wait: Duration) -> AppError {
    AppError::RateLimited {
        code: "too_many_requests",
        retry_after: wait,
    }
}

impl App {
    /// Registers a request from the portal. Refused, writing nothing: a filled honeypot,
    /// too many requests from one address, or invalid fields (named in the error).
    pub async fn submit_portal_request(&self, request: PortalRequest) -> AppResult<PortalReceipt> {
        let limits = &self.portal_limits;
        let address = format!("address:{}", request.address);
        if let Some(wait) = limits.submissions.wait(&address, SUBMISSIONS_PER_HOUR) {
            return Err(rate_limited(wait));
        }
        if !request.honeypot.trim().is_empty() {
            limits.submissions.record(&address);
            return Err(AppError::field("website", "rejected", "this request could not be accepted"));
        }
        let blank = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let email = blank(request.email);
        let phone = blank(request.phone);
        if email.is_none() && phone.is_none() {
            return Err(AppError::field(
                "email",
                "required",
                "an e-mail address or a phone number, so we can answer",
            ));
        }
        let input = CreateTicket {
            subject: blank(request.subject),
            description: blank(request.description),
            kind: blank(request.kind),
            category: blank(request.category),
            channel: Some("web".into()),
            customer: Some(CustomerRef {
                name: blank(request.name),
                email,
                phone,
            }),
            ..CreateTicket::default()
        };
        let parsed = parse_create(input);
        let files = Files::check(request.attachments);
        let (parsed, files) = match (parsed, files) {
            (Ok(parsed), Ok(files)) => (parsed, files),
            (Err(AppError::Invalid(mut invalid)), Err(refused)) => {
                invalid.0.extend(refused.0);
                return Err(AppError::Invalid(invalid));
            }
            (Err(error), _) => return Err(error),
            (Ok(_), Err(refused)) => return Err(AppError::Invalid(refused)),
        };
        limits.submissions.record(&address);
        let token = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let token_hash = secrets::token_hash(&token);
        let engine = self.engine();
        // With mail, the link also goes to the customer's inbox, queued with the ticket.
        let receipt_mail = match (self.mail(), parsed.email.as_ref()) {
            (Some(settings), Some(email)) => Some((
                email.as_str().to_owned(),
                settings.link(&format!("/portal/t/{token}")),
                mail::department(&*self.branding().await),
            )),
            _ => None,
        };
        let (ticket, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let (ticket, events) = create_in(tx, &engine, CreatedBy::Customer, parsed, at).await?;
                    insert_portal_link(tx.exec(), ticket.id, &token_hash, at).await?;
                    files.store(tx, ticket.id, None, ActorRef::customer(ticket.customer_id), at).await?;
                    if let Some((to, link, department)) = receipt_mail {
                        let (subject, body) = receipt(&department, &ticket, &link);
                        mail::queue(tx, &to, &subject, &body, at).await?;
                    }
                    Ok::<_, AppError>((ticket, events))
                })
            })
            .await?;
        metrics::counter!("kefu_tickets_created_total").increment(1);
        self.wake_mailer();
        self.routing_kicks(None, &ticket);
        self.publish(events);
        Ok(PortalReceipt {
            number: ticket.number,
            token,
        })
    }

    /// The ticket a tracking link opens, with its public messages. An unknown token is
    /// "not found", the same as a ticket that does not exist.
    pub async fn portal_ticket(&self, token: &str) -> AppResult<PortalTicket> {
        let ticket = self.ticket_of_link(token).await?;
        let merged_into = kefu_store::ticket_relations::merged_into(self.db().read(), ticket.id)
            .await?
            .map(|(_, number)| number);
        let mut messages = messages_of(self.db().read(), ticket.id, false).await?;
        let attachments = attachments_of(self.db().read(), ticket.id, false).await?;
        let attachments = attachment::distribute(&mut messages, attachments);
        Ok(PortalTicket {
            ticket,
            messages,
            attachments,
            merged_into,
        })
    }

    /// The ticket a tracking link was given for. After a merge the link still shows only
    /// that ticket: "same customer" rests on an e-mail address nobody verified, so the
    /// ticket it was merged into is never shown through it (only replies are forwarded).
    pub(crate) async fn ticket_of_link(&self, token: &str) -> AppResult<Ticket> {
        let id = ticket_of_portal_link(self.db().read(), &secrets::token_hash(token))
            .await?
            .ok_or_else(request_not_found)?;
        ticket_by_id(self.db().read(), id).await?.ok_or_else(request_not_found)
    }

    /// The customer writes on their request (resumes or reopens it like any customer
    /// message). After the reopen window it starts a follow-up request instead, whose
    /// number is returned (the same link keeps opening the first request).
    pub async fn portal_reply(&self, token: &str, body: String, uploads: Vec<Upload>, address: &str) -> AppResult<Option<TicketNumber>> {
        let key = format!("address:{address}");
        if let Some(wait) = self.portal_limits.replies.wait(&key, REPLIES_PER_HOUR) {
            return Err(rate_limited(wait));
        }
        let body = kefu_domain::text::Body::parse("body", body.trim());
        let files = Files::check(uploads);
        let (body, files) = match (body, files) {
            (Ok(body), Ok(files)) => (body.into_inner(), files),
            (body, files) => {
                let mut errors = files.err().unwrap_or_default();
                errors.0.extend(body.err());
                return Err(AppError::Invalid(errors));
            }
        };
        let ticket = self.ticket_of_link(token).await?;
        self.portal_limits.replies.record(&key);
        let engine = self.engine();
        let reopen_window = self.config.reopen_window;
        let id = ticket.id;
        let (added, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let ticket = ticket_by_id(tx.exec(), id).await?.ok_or_else(AppError::ticket_not_found)?;
                    // A request merged into another: the reply is added where the work goes
                    // on (read in this transaction, so a merge cannot slip in between).
                    let ticket = crate::relations::carrying_on(tx.exec(), ticket).await?;
                    let at = now();
                    let (mut added, events) = customer_message(tx, &engine, ticket, body, at, reopen_window).await?;
                    let customer = ActorRef::customer(added.ticket.customer_id);
                    added.message.attachments = files.store(tx, added.ticket.id, Some(added.message.id), customer, at).await?;
                    Ok::<_, AppError>((added, events))
                })
            })
            .await?;
        let follow_up = added.follow_up_of.map(|_| added.ticket.number);
        if follow_up.is_some() {
            self.routing_kicks(None, &added.ticket);
        }
        self.publish(events);
        Ok(follow_up)
    }

    /// The customer says the request is solved.
    pub async fn portal_mark_solved(&self, token: &str) -> AppResult<()> {
        let ticket = self.ticket_of_link(token).await?;
        let engine = self.engine();
        let id = ticket.id;
        let events = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut ticket = ticket_by_id(tx.exec(), id).await?.ok_or_else(AppError::ticket_not_found)?;
                    let before = ticket.clone();
                    let to = status::customer_confirms_solved(ticket.status)?;
                    if to == ticket.status {
                        return Ok(Vec::new());
                    }
                    let at = now();
                    let by = ActorRef::customer(ticket.customer_id);
                    let events = vec![NewEvent::change(EventKind::StatusChanged, by, ticket.status, to)];
                    ticket.status = to;
                    ticket.resolved_at = Some(at);
                    save(tx, &engine, &before, &mut ticket, events, at).await
                })
            })
            .await?;
        self.publish(events);
        Ok(())
    }
}
