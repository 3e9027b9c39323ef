//! Survey invitations by e-mail. When Kefu sends mail, a new survey's link goes to the
//! customer's address in the transaction that made the send (through the outbox, so a
//! crash loses neither), and one reminder is scheduled with it: if the survey is still
//! unanswered some days later (the trigger's or campaign's `reminder_days`, by default
//! [`DEFAULT_REMINDER_DAYS`](kefu_domain::survey::DEFAULT_REMINDER_DAYS)), the customer is asked once more, and never again.
//! For a design with one rating question the mail lists a link per rating (`?r=N`):
//! clicking one opens the form with that rating chosen; only submitting the form records
//! an answer, so a mail scanner that opens every link answers nothing.

use crate::error::AppResult;
use crate::mail::{self, MailSettings};
use crate::scheduler::TimerKind;
use crate::surveys::{LINK_LIFETIME, LINK_PURPOSE};
use crate::{App, secrets};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::{Customer, Id, Ticket, TicketNumber};
use kefu_domain::survey::{Design, DesignSpec, QuestionKind, SendOrigin};
use kefu_store::mail_outbox::NewMail;
use kefu_store::timers::{self, NewTimer, Timer};
use kefu_store::{Tx, customers, surveys, tickets};
use serde_json::json;
use std::sync::Arc;

/// A reminder whose link would expire sooner than this is not sent.
const REMINDER_MIN_LEFT: SignedDuration = SignedDuration::from_hours(24);

/// What a survey mail needs besides the send: where links point, the key that signs them
/// and the department's name.
pub(crate) struct SurveyMailer {
    settings: MailSettings,
    key: Arc<Vec<u8>>,
    department: String,
}

impl SurveyMailer {
    fn link(&self, send_id: Id) -> String {
        self.settings
            .link(&format!("/s/{}", secrets::sign_link(&self.key, LINK_PURPOSE, send_id)))
    }
}

impl App {
    /// The survey mailer, when this node sends mail.
    pub(crate) async fn survey_mailer(&self) -> AppResult<Option<SurveyMailer>> {
        let Some(settings) = self.mail().cloned() else {
            return Ok(None);
        };
        Ok(Some(SurveyMailer {
            settings,
            key: self.survey_link_key().await?,
            department: mail::department(&*self.branding().await),
        }))
    }
}

/// A survey to mail: who mails it, and when its one reminder follows.
#[derive(Clone, Copy)]
pub(crate) struct Invitation<'a> {
    pub mailer: &'a SurveyMailer,
    /// Days before the reminder; 0: none.
    pub reminder_days: i64,
}

impl<'a> Invitation<'a> {
    pub(crate) fn new(mailer: &'a SurveyMailer, reminder_days: i64) -> Self {
        Invitation { mailer, reminder_days }
    }
}

/// Which of the two mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Letter {
    Invitation,
    Reminder,
}

/// What the survey asks about: one request, or the service as a whole (a campaign).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum About<'a> {
    Request(TicketNumber, &'a str),
    Service,
}

/// A new send's invitation: where it goes and what it asks about.
pub(crate) struct Mailing<'a> {
    invitation: Invitation<'a>,
    send_id: Id,
    spec: &'a DesignSpec,
    about: About<'a>,
    email: &'a str,
}

impl<'a> Mailing<'a> {
    /// A survey about one request, to its customer; none without an e-mail address.
    pub(crate) fn request(
        invitation: Invitation<'a>,
        send_id: Id,
        design: &'a Design,
        ticket: &'a Ticket,
        customer: &'a Customer,
    ) -> Option<Self> {
        Some(Mailing {
            invitation,
            send_id,
            spec: &design.spec,
            about: About::Request(ticket.number, &ticket.subject),
            email: customer.email.as_ref()?.as_str(),
        })
    }

    /// A campaign's survey (about the service as a whole) to `email`.
    pub(crate) fn campaign(invitation: Invitation<'a>, send_id: Id, spec: &'a DesignSpec, email: &'a str) -> Self {
        Mailing {
            invitation,
            send_id,
            spec,
            about: About::Service,
            email,
        }
    }

    pub(crate) fn send_id(&self) -> Id {
        self.send_id
    }
}

/// Queues the invitations of new sends and schedules each one reminder (unless its
/// invitation says none), in the sends' transaction: one statement for the mails and one
/// for the reminders, however many.
pub(crate) async fn invite(tx: &mut Tx, mailings: &[Mailing<'_>], at: Timestamp) -> AppResult<()> {
    let mails: Vec<NewMail> = mailings
        .iter()
        .map(|m| {
            let mailer = m.invitation.mailer;
            let (subject, body) = letter(Letter::Invitation, &mailer.department, m.spec, m.about, &mailer.link(m.send_id));
            NewMail {
                to: m.email.to_owned(),
                subject,
                body,
            }
        })
        .collect();
    // Mail is due when it is written, whatever instant a scheduler pass stands for.
    mail::queue_all(tx, &mails, crate::now()).await?;
    let reminders: Vec<NewTimer> = mailings
        .iter()
        .filter(|m| m.invitation.reminder_days > 0)
        .map(|m| {
            let due = at + SignedDuration::from_hours(24 * m.invitation.reminder_days);
            TimerKind::SurveyReminder.timer(due, None, json!({ "send_id": m.send_id }))
        })
        .collect();
    timers::schedule(tx.exec(), &reminders, at).await?;
    Ok(())
}

/// A reminder timer fired: mails the survey once more if it is still unanswered, has a
/// day or more to live, and the customer still consents and has an address. Without mail
/// settings on this node (switched off since) nothing is sent.
pub(crate) async fn remind(tx: &mut Tx, mailer: Option<&SurveyMailer>, timer: &Timer, now: Timestamp) -> AppResult<bool> {
    let Some(mailer) = mailer else {
        return Ok(false);
    };
    let Some(send_id) = timer.payload.get("send_id").and_then(|v| v.as_i64()) else {
        tracing::error!(id = timer.id, "survey reminder without a send dropped");
        return Ok(false);
    };
    let Some(send) = surveys::send_by_id(tx.exec(), send_id).await? else {
        return Ok(false);
    };
    if send.answered_at.is_some() || send.expires_at.duration_since(now) < REMINDER_MIN_LEFT {
        return Ok(false);
    }
    let Some(customer) = customers::customer_by_id(tx.exec(), send.customer_id).await? else {
        return Ok(false);
    };
    let (Some(email), Some(_consent)) = (&customer.email, customer.consent_at) else {
        return Ok(false);
    };
    let Some(design) = surveys::design_by_id(tx.exec(), send.design_id).await? else {
        return Ok(false);
    };
    // A campaign's survey is about the service, even when it names the latest ticket
    // for its slices.
    let ticket = match (send.origin, send.ticket_id) {
        (SendOrigin::Campaign, _) | (_, None) => None,
        (_, Some(id)) => tickets::ticket_by_id(tx.exec(), id).await?,
    };
    let about = ticket.as_ref().map_or(About::Service, |t| About::Request(t.number, &t.subject));
    let (subject, body) = letter(Letter::Reminder, &mailer.department, &design.spec, about, &mailer.link(send.id));
    mail::queue(tx, email.as_str(), &subject, &body, crate::now()).await?;
    Ok(true)
}

/// The mail's subject and plain-text body, Chinese then English.
fn letter(which: Letter, department: &str, spec: &DesignSpec, about: About<'_>, link: &str) -> (String, String) {
    let prefix = match about {
        About::Request(number, _) => format!("[#{number}] "),
        About::Service => String::new(),
    };
    let mail_subject = match which {
        Letter::Invitation => format!("{prefix}{department}：请评价我们的服务 / How did we do?"),
        Letter::Reminder => format!("{prefix}{department}：提醒：请评价我们的服务 / Reminder: how did we do?"),
    };
    let days = LINK_LIFETIME.as_hours() / 24;
    let (asked_zh, asked_en) = match about {
        About::Request(number, subject) => (
            format!("您的请求 #{number}「{subject}」已处理。"),
            format!("Your request #{number} \"{subject}\" has been handled. "),
        ),
        About::Service => (
            "我们想了解您近来对我们服务的整体感受。".to_owned(),
            "We would like to know how you have found our service lately. ".to_owned(),
        ),
    };
    let (opening_zh, opening_en, closing_zh, closing_en) = match which {
        Letter::Invitation => (
            format!("{asked_zh}请花一分钟告诉我们您的感受。"),
            format!("{asked_en}Please take a minute to tell us how we did."),
            format!("链接 {days} 天内有效，只能提交一次。"),
            format!("The link works for {days} days, and once."),
        ),
        Letter::Reminder => (
            format!("几天前我们请您评价我们的服务，还没有收到您的回答。{asked_zh}"),
            format!("A few days ago we asked how we did, and have not heard back yet. {asked_en}"),
            "这是唯一一次提醒。".to_owned(),
            "This is the only reminder.".to_owned(),
        ),
    };
    let body = format!(
        "您好！\n\n{opening_zh}\n\n{}\n\n{closing_zh}\n\n---\n\nHello,\n\n{}\n\n{}\n\n{closing_en}\n\n{department}\n",
        choices(spec, link, "zh"),
        opening_en.trim_end(),
        choices(spec, link, "en"),
    );
    (mail_subject, body)
}

/// The links to answer by: one per rating, best first, when the design asks a single
/// rating question (the form opens with that rating chosen); always the plain link.
fn choices(spec: &DesignSpec, link: &str, language: &str) -> String {
    let mut ratings = spec.questions.iter().filter(|q| matches!(q.kind, QuestionKind::Rating { .. }));
    let single = match (ratings.next(), ratings.next()) {
        (Some(question), None) => Some(question),
        _ => None,
    };
    let zh = language == "zh";
    let mut lines = Vec::new();
    if let Some(question) = single {
        lines.push(question.text.get(language).to_owned());
        for value in (spec.scale.min..=spec.scale.max).rev() {
            let band = spec.band_of(value).map(|b| b.name.get(language)).unwrap_or_default();
            let label = if zh { format!("{value} 分") } else { format!("{value}") };
            lines.push(format!("  {label} {band}: {link}?r={value}"));
        }
        lines.push(String::new());
        lines.push(if zh {
            format!("或打开问卷：{link}")
        } else {
            format!("Or open the survey: {link}")
        });
    } else {
        lines.push(if zh {
            format!("打开问卷：{link}")
        } else {
            format!("Open the survey: {link}")
        });
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::survey::builtin;

    const TICKET: About<'static> = About::Request(1042, "空调不制冷");

    fn design(key: &str) -> DesignSpec {
        builtin::designs().into_iter().find(|(k, _)| *k == key).expect("built-in design").1
    }

    #[test]
    fn a_single_rating_design_offers_a_link_per_rating_best_first() {
        let (subject, body) = letter(
            Letter::Invitation,
            "售后 Support",
            &design(builtin::CSAT),
            TICKET,
            "https://h/s/9-ab",
        );
        assert!(subject.starts_with("[#1042] 售后 Support："), "{subject}");
        let five = body.find("https://h/s/9-ab?r=5").expect("a link for 5");
        let one = body.find("https://h/s/9-ab?r=1").expect("a link for 1");
        assert!(five < one, "best first: {body}");
        assert!(body.contains("或打开问卷：https://h/s/9-ab\n"), "{body}");
        assert!(body.contains("Or open the survey: https://h/s/9-ab\n"), "{body}");
        assert!(body.contains("30 天内有效") && body.contains("30 days"), "{body}");
    }

    #[test]
    fn nps_lists_eleven_ratings_and_a_many_question_design_only_the_form() {
        let (_, nps) = letter(Letter::Invitation, "Kefu", &design(builtin::NPS), TICKET, "https://h/s/1-x");
        assert_eq!(nps.matches("https://h/s/1-x?r=").count(), 22, "0–10 in both languages: {nps}");
        assert!(nps.contains("?r=0\n") && nps.contains("?r=10\n"), "{nps}");
        let (_, five) = letter(Letter::Invitation, "Kefu", &design(builtin::SERVICE), TICKET, "https://h/s/1-x");
        assert!(!five.contains("?r="), "{five}");
        assert!(five.contains("打开问卷：https://h/s/1-x"), "{five}");
    }

    #[test]
    fn a_campaign_asks_about_the_service_without_a_request_number() {
        let (subject, body) = letter(
            Letter::Invitation,
            "Kefu",
            &design(builtin::CSAT),
            About::Service,
            "https://h/s/1-x",
        );
        assert!(subject.starts_with("Kefu：") && !subject.contains('#'), "{subject}");
        assert!(
            body.contains("整体感受") && body.contains("lately") && !body.contains('#'),
            "{body}"
        );
        assert!(body.contains("https://h/s/1-x?r=5"), "{body}");
    }

    #[test]
    fn the_reminder_says_it_is_the_only_one() {
        let (subject, body) = letter(Letter::Reminder, "Kefu", &design(builtin::CSAT), TICKET, "https://h/s/1-x");
        assert!(subject.contains("提醒") && subject.contains("Reminder"), "{subject}");
        assert!(
            body.contains("这是唯一一次提醒。") && body.contains("This is the only reminder."),
            "{body}"
        );
    }
}
