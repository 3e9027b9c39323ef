//! Returning customers on the portal: a customer asks for a sign-in link by e-mail, uses
//! it once (a page asks to confirm, so mail scanners that open links sign nobody in), and
//! then lists their requests and opens any of them. Proving that they read the address's
//! mail lets them see the requests filed *with that address*: a customer record is also
//! found by phone, which nobody verified, so requests filed by phone are not shown; and a
//! session ends when the customer's address changes.

use crate::error::{AppError, AppResult};
use crate::limits::WindowCounter;
use crate::portal::request_not_found;
use crate::tickets::requester_emails;
use crate::{App, mail, now, secrets};
use jiff::SignedDuration;
use kefu_domain::contact::Email;
use kefu_domain::entities::{Customer, Ticket, TicketNumber};
use kefu_domain::query::{TicketQuery, Visibility};
use kefu_store::customer_sessions as store;
use kefu_store::customers::{customer_by_email, customer_by_id};
use kefu_store::portal_links::insert_portal_link;
use kefu_store::tickets::{list_tickets, ticket_by_number};
use std::time::Duration;

/// How long a sign-in link works, and how long the session it opens lasts.
pub const SIGN_IN_LINK_TTL: SignedDuration = SignedDuration::from_mins(30);
pub const CUSTOMER_SESSION_TTL: SignedDuration = SignedDuration::from_hours(7 * 24);
/// Sign-in links one address (of the requester) and one mailbox may ask for per hour.
const LINKS_PER_ADDRESS: u32 = 10;
const LINKS_PER_MAILBOX: u32 = 3;
/// The most requests the customer's list shows (newest first).
pub const MY_REQUESTS: usize = 100;

/// A customer signed in on the portal, with the address they proved they read.
#[derive(Debug, Clone)]
pub struct PortalCustomer {
    pub customer: Customer,
    pub email: String,
}

pub(crate) struct CustomerSignInLimits {
    requests: WindowCounter,
}

impl Default for CustomerSignInLimits {
    fn default() -> Self {
        CustomerSignInLimits {
            requests: WindowCounter::new(Duration::from_secs(3600)),
        }
    }
}

fn link_not_usable() -> AppError {
    AppError::NotFound {
        what: "sign-in link",
        code: "sign_in_link_not_found",
    }
}

/// The sign-in mail, in Chinese and English (the customer's language is not known yet).
fn sign_in_mail(department: &str, link: &str) -> (String, String) {
    let minutes = SIGN_IN_LINK_TTL.as_mins();
    let subject = format!("{department}：登录链接 / Your sign-in link");
    let body = format!(
        "您好！\n\n点击下面的链接登录，查看您的全部服务请求（{minutes} 分钟内有效，只能使用一次）：\n{link}\n\n\
         如果不是您本人操作，请忽略此邮件。\n\n---\n\n\
         Hello,\n\nOpen this link to sign in and see all your requests (it works once, for {minutes} minutes):\n{link}\n\n\
         If you did not ask for it, ignore this mail.\n\n{department}\n"
    );
    (subject, body)
}

impl App {
    /// Sends a sign-in link to `email` if a customer has that address. The answer is the
    /// same whether or not the address is known, so the form reveals nobody's requests.
    /// Refused: mail not configured (409 `mail_not_configured`), an invalid address, or
    /// too many links asked for from one address or for one mailbox.
    pub async fn request_customer_sign_in(&self, email: &str, address: &str) -> AppResult<()> {
        let Some(settings) = self.mail().cloned() else {
            return Err(AppError::Conflict {
                code: "mail_not_configured",
                message: "this service sends no mail; ask an agent for your request's link".into(),
            });
        };
        let email = Email::parse("email", email).map_err(|e| AppError::Invalid(kefu_domain::FieldErrors(vec![e])))?;
        let limits = &self.customer_sign_in_limits.requests;
        let (by_address, by_mailbox) = (format!("address:{address}"), format!("mailbox:{}", email.as_str()));
        if let Some(wait) = limits
            .wait(&by_address, LINKS_PER_ADDRESS)
            .or_else(|| limits.wait(&by_mailbox, LINKS_PER_MAILBOX))
        {
            return Err(AppError::RateLimited {
                code: "too_many_requests",
                retry_after: wait,
            });
        }
        limits.record(&by_address);
        limits.record(&by_mailbox);
        // Known or not, the address is looked up in a write transaction with the link
        // made ready beforehand: both answers take about as long, so the time taken does
        // not tell who is a customer.
        let token = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let hash = secrets::token_hash(&token);
        let department = mail::department(&*self.branding().await);
        let (subject, body) = sign_in_mail(&department, &settings.link(&format!("/portal/sign-in/{token}")));
        let mailed = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let Some(customer) = customer_by_email(tx.exec(), &email).await? else {
                        return Ok(false);
                    };
                    let (at, to) = (now(), email.as_str());
                    store::insert_sign_in_link(tx.exec(), &hash, customer.id, to, at, at + SIGN_IN_LINK_TTL).await?;
                    mail::queue(tx, to, &subject, &body, at).await?;
                    Ok::<_, AppError>(true)
                })
            })
            .await?;
        if mailed {
            self.wake_mailer();
        }
        Ok(())
    }

    /// Whether a sign-in link can still be used (shown before it is used).
    pub async fn customer_sign_in_link_usable(&self, token: &str) -> AppResult<bool> {
        Ok(store::sign_in_link_usable(self.db().read(), &secrets::token_hash(token), now()).await?)
    }

    /// Uses a sign-in link (once, before it expires) and opens a session: its token, for
    /// the cookie.
    pub async fn use_customer_sign_in_link(&self, token: &str) -> AppResult<String> {
        let link = secrets::token_hash(token);
        let session = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let session_hash = secrets::token_hash(&session);
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let (customer, email) = store::use_sign_in_link(tx.exec(), &link, at).await?.ok_or_else(link_not_usable)?;
                    store::insert_customer_session(tx.exec(), &session_hash, customer, &email, at, at + CUSTOMER_SESSION_TTL).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await?;
        Ok(session)
    }

    /// The customer a portal session belongs to, while it lasts and while the customer
    /// still has the address it was proven for.
    pub async fn customer_of_session(&self, session: &str) -> AppResult<Option<PortalCustomer>> {
        let Some((id, email)) = store::customer_of_session(self.db().read(), &secrets::token_hash(session), now()).await? else {
            return Ok(None);
        };
        let customer = customer_by_id(self.db().read(), id).await?;
        Ok(customer
            .filter(|c| c.email.as_ref().is_some_and(|e| e.as_str() == email))
            .map(|customer| PortalCustomer { customer, email }))
    }

    pub async fn end_customer_session(&self, session: &str) -> AppResult<()> {
        let hash = secrets::token_hash(session);
        self.db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::delete_customer_session(tx.exec(), &hash).await?) }))
            .await
    }

    /// The requests filed with the customer's proven address, newest first.
    pub async fn customer_requests(&self, who: &PortalCustomer) -> AppResult<Vec<Ticket>> {
        let query = TicketQuery {
            customer: Some(who.customer.id),
            limit: MY_REQUESTS,
            ..TicketQuery::default()
        };
        let tickets = list_tickets(self.db().read(), &query, &Visibility::All).await?;
        let ids: Vec<_> = tickets.iter().map(|t| t.id).collect();
        let filed_with = requester_emails(self.db().read(), &ids).await?;
        Ok(tickets
            .into_iter()
            .filter(|t| filed_with.get(&t.id).is_some_and(|e| *e == who.email))
            .collect())
    }

    /// A fresh tracking link for one of the customer's own requests (the earlier links are
    /// stored hashed and cannot be shown again): its token. Another customer's request, or
    /// one not filed with the proven address, is "not found", like one that does not exist.
    pub async fn open_customer_request(&self, who: &PortalCustomer, number: TicketNumber) -> AppResult<String> {
        let (customer_id, email) = (who.customer.id, who.email.clone());
        let token = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let hash = secrets::token_hash(&token);
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let ticket = ticket_by_number(tx.exec(), number)
                        .await?
                        .filter(|t| t.customer_id == customer_id)
                        .ok_or_else(request_not_found)?;
                    let filed_with = requester_emails(tx.exec(), &[ticket.id]).await?;
                    if filed_with.get(&ticket.id) != Some(&email) {
                        return Err(request_not_found());
                    }
                    insert_portal_link(tx.exec(), ticket.id, &hash, now()).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_mail_carries_the_link_and_its_limits_in_both_languages() {
        let (subject, body) = sign_in_mail("客服中心", "https://help.example.com/portal/sign-in/kefu_1");
        assert!(subject.starts_with("客服中心"));
        assert_eq!(body.matches("https://help.example.com/portal/sign-in/kefu_1").count(), 2);
        assert!(body.contains("30 分钟") && body.contains("30 minutes"));
    }
}
