//! Outbound mail to customers (tracking links, sign-in links). A command queues its mail
//! in its own transaction (`mail_outbox`), so nothing it promised is lost in a crash; the
//! sender sends what is due over SMTP (lettre) after the commit, retrying with backoff,
//! and gives up on a permanent refusal or after [`MAX_ATTEMPTS`]. Without SMTP settings
//! nothing is queued and the pages show the links on screen instead.

use crate::error::{AppError, AppResult};
use crate::{App, now};
use futures::{StreamExt, stream};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::Id;
use kefu_store::Tx;
use kefu_store::mail_outbox::{self as outbox, OutboxMail};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Tries before a mail is given up (the backoff below spreads them over about 8.5 hours).
pub const MAX_ATTEMPTS: i32 = 10;
/// Mails one pass leases.
const BATCH: i64 = 100;
/// Mails of a batch on their way at once (lettre keeps a pool of SMTP connections): one
/// at a time, a relay's round trips limited a busy department to ~20 mails a second.
/// Outcomes are recorded as each group of this many finishes, so a crash sends at most
/// about this many mails twice.
const PARALLEL_SENDS: usize = 8;
/// lettre's timeout for one SMTP command.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest one mail may take, all its commands together; then it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a leased batch is kept from other senders: longer than a whole batch can take,
/// so no other node sends it meanwhile.
const LEASE: SignedDuration = SignedDuration::from_mins(30);
const _: () = assert!(
    (BATCH as u64).div_ceil(PARALLEL_SENDS as u64) * SEND_TIMEOUT.as_secs() < LEASE.as_secs() as u64,
    "a batch must end within its lease"
);
/// How often the sender looks for due mail when nobody woke it (other nodes, retries).
const POLL: Duration = Duration::from_secs(5);

/// Where and as whom Kefu sends mail, and the address customers reach it at.
#[derive(Clone)]
pub struct MailSettings {
    /// lettre's SMTP URL, e.g. `smtps://user:password@smtp.example.com` or
    /// `smtp://relay.local:25` (plain, for a relay on the same network). A secret.
    pub smtp_url: String,
    /// The sender, e.g. `客服 <support@example.com>`.
    pub from: Mailbox,
    /// Where customers open Kefu, for the links in mail, e.g. `https://help.example.com`.
    pub public_url: url::Url,
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &"[redacted]")
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url.as_str())
            .finish()
    }
}

impl MailSettings {
    /// Checks the settings at start: a bad URL or sender stops the start with a message.
    pub fn parse(smtp_url: &str, from: &str, public_url: &str) -> Result<Self, String> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url).map_err(|e| format!("the SMTP URL is not usable: {e}"))?;
        let from: Mailbox = from.parse().map_err(|e| format!("the sender address is not valid: {e}"))?;
        let public_url = url::Url::parse(public_url).map_err(|e| format!("the public URL is not valid: {e}"))?;
        if !matches!(public_url.scheme(), "http" | "https") {
            return Err("the public URL must start with http:// or https://".into());
        }
        Ok(MailSettings {
            smtp_url: smtp_url.to_owned(),
            from,
            public_url,
        })
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_str().trim_end_matches('/'))
    }
}

/// When to try again after `attempts` failures: 1 min, 2, 4, ... at most 6 h.
fn retry_delay(attempts: i32) -> SignedDuration {
    let minutes = 1i64 << attempts.clamp(1, 12).saturating_sub(1);
    SignedDuration::from_mins(minutes.min(6 * 60))
}

/// The sender task and its wake-up.
#[derive(Default)]
pub(crate) struct MailHandle {
    wake: Notify,
    stopping: AtomicBool,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// Who the mail is from, as its text names it: the department's name set on the branding
/// page (Chinese first), else Kefu's.
pub(crate) fn department(branding: &kefu_domain::branding::Branding) -> String {
    match branding.name(true) {
        "" => "客服 Kefu".to_owned(),
        name => name.to_owned(),
    }
}

/// Queues a mail in the caller's transaction.
pub(crate) async fn queue(tx: &mut Tx, to: &str, subject: &str, body: &str, at: Timestamp) -> AppResult<()> {
    outbox::queue_mail(tx.exec(), to, subject, body, at).await?;
    Ok(())
}

/// Queues many mails in the caller's transaction, in one statement.
pub(crate) async fn queue_all(tx: &mut Tx, mails: &[outbox::NewMail], at: Timestamp) -> AppResult<()> {
    outbox::queue_mails(tx.exec(), mails, at).await?;
    Ok(())
}

impl App {
    /// The mail settings, when this node sends mail.
    pub fn mail(&self) -> Option<&MailSettings> {
        self.config.mail.as_ref()
    }

    /// Tells the sender that mail was queued (call after the commit).
    pub(crate) fn wake_mailer(&self) {
        self.mail_sender.wake.notify_one();
    }

    /// Starts sending queued mail in the background (when mail is configured).
    pub fn start_mail(&self) {
        let Some(settings) = self.mail().cloned() else {
            return;
        };
        let mut slot = self.mail_sender.task.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() {
            return;
        }
        self.mail_sender.stopping.store(false, Ordering::SeqCst);
        *slot = Some(tokio::spawn(self.clone().run_mail(settings)));
    }

    pub async fn stop_mail(&self) {
        self.mail_sender.stopping.store(true, Ordering::SeqCst);
        self.mail_sender.wake.notify_one();
        let task = self.mail_sender.task.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    async fn run_mail(self, settings: MailSettings) {
        let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url) {
            Ok(builder) => builder.timeout(Some(SMTP_TIMEOUT)).build(),
            Err(error) => {
                tracing::error!(%error, "the SMTP URL is not usable; no mail will be sent");
                return;
            }
        };
        while !self.mail_sender.stopping.load(Ordering::SeqCst) {
            match self.send_due_mail(&transport, &settings.from).await {
                // A full batch: there may be more.
                Ok(sent) if sent as i64 == BATCH => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "sending queued mail failed; retrying"),
            }
            let _ = tokio::time::timeout(POLL, self.mail_sender.wake.notified()).await;
        }
    }

    /// One pass: leases the due mail and sends it, several at once, recording the
    /// outcomes of each group as it finishes. A crash between sending a group and
    /// recording it sends those mails again after their lease: at least once, never lost.
    async fn send_due_mail(&self, transport: &AsyncSmtpTransport<Tokio1Executor>, from: &Mailbox) -> AppResult<usize> {
        let at = now();
        let leased = self
            .db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(outbox::lease_due_mail(tx.exec(), at, at + LEASE, BATCH).await?) }))
            .await?;
        let count = leased.len();
        let mut untried: std::collections::HashSet<Id> = leased.iter().map(|mail| mail.id).collect();
        let stopping = &self.mail_sender.stopping;
        // Stopping: what is left of the batch is given back for whoever runs next.
        let mut finished = stream::iter(leased)
            .take_while(|_| std::future::ready(!stopping.load(Ordering::SeqCst)))
            .map(|mail| async move {
                let outcome = match tokio::time::timeout(SEND_TIMEOUT, send_one(transport, from, &mail)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err((format!("no answer within {} s", SEND_TIMEOUT.as_secs()), false)),
                };
                (mail.id, mail.attempts, outcome)
            })
            .buffer_unordered(PARALLEL_SENDS)
            .ready_chunks(PARALLEL_SENDS);
        while let Some(outcomes) = finished.next().await {
            for (id, _, _) in &outcomes {
                untried.remove(id);
            }
            metrics::counter!("kefu_mail_attempts_total").increment(outcomes.len() as u64);
            self.db().write(move |tx| Box::pin(record_outcomes(tx, outcomes))).await?;
        }
        if !untried.is_empty() {
            let ids: Vec<Id> = untried.into_iter().collect();
            self.db()
                .write(move |tx| Box::pin(async move { Ok::<_, AppError>(outbox::release_mail(tx.exec(), &ids).await?) }))
                .await?;
        }
        Ok(count)
    }
}

/// What became of one mail: its id, the attempt's number, and sent or why not (with
/// whether retrying cannot help).
type Outcome = (Id, i32, Result<(), (String, bool)>);

/// Records what became of a group of sent mails: sent, or failed for now (tried again
/// later) or for good.
async fn record_outcomes(tx: &mut Tx, outcomes: Vec<Outcome>) -> AppResult<()> {
    let at = now();
    for (id, attempts, outcome) in outcomes {
        match outcome {
            Ok(()) => outbox::mark_mail_sent(tx.exec(), id, at).await?,
            Err((error, permanent)) => {
                let retry = (!permanent && attempts < MAX_ATTEMPTS).then(|| at + retry_delay(attempts));
                outbox::mark_mail_failed(tx.exec(), id, &error, retry, at).await?;
            }
        }
    }
    Ok(())
}

/// Sends one mail; on failure the reason and whether retrying cannot help.
async fn send_one(transport: &AsyncSmtpTransport<Tokio1Executor>, from: &Mailbox, mail: &OutboxMail) -> Result<(), (String, bool)> {
    let to: Mailbox = mail
        .to_address
        .parse()
        .map_err(|e| (format!("the address {} is not valid: {e}", mail.to_address), true))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| (format!("the mail could not be built: {e}"), true))?;
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(error) => {
            tracing::warn!(mail = mail.id, attempts = mail.attempts, %error, "a mail was not accepted");
            Err((error.to_string(), error.is_permanent()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_are_capped() {
        assert_eq!(retry_delay(1), SignedDuration::from_mins(1));
        assert_eq!(retry_delay(2), SignedDuration::from_mins(2));
        assert_eq!(retry_delay(5), SignedDuration::from_mins(16));
        assert_eq!(retry_delay(MAX_ATTEMPTS), SignedDuration::from_hours(6));
    }

    #[test]
    fn settings_are_checked_and_the_url_never_printed() {
        let settings = MailSettings::parse(
            "smtp://user:secret@127.0.0.1:2525",
            "客服 <support@example.com>",
            "https://help.example.com/",
        )
        .unwrap();
        assert!(!format!("{settings:?}").contains("secret"));
        assert_eq!(settings.link("/portal/t/x"), "https://help.example.com/portal/t/x");
        assert!(MailSettings::parse("smtp://127.0.0.1:2525", "not an address", "https://x.example").is_err());
        assert!(MailSettings::parse("smtp://127.0.0.1:2525", "a@example.com", "ftp://x.example").is_err());
        assert!(MailSettings::parse("nonsense", "a@example.com", "https://x.example").is_err());
    }
}
