//! The business calendars page (admins): each calendar's zone, weekly hours, holidays and
//! extra working days (调休) edited as text, holidays imported from an iCalendar file, and a
//! form for a new calendar. The text form is `kefu_domain::calendar_text`'s; the use cases
//! check the calendar and record the change.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, answer_form, refusal};
use super::session::Session;
use crate::state::AppState;
use crate::upload::{FormWithFiles, UploadRejection};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Weekday;
use kefu_app::policies::CalendarInput;
use kefu_app::{AppError, AppResult};
use kefu_domain::calendar_spec::{CalendarSpec, WeeklyHours};
use kefu_domain::calendar_text::{holidays_text, hours_text, parse_holidays, parse_hours, parse_working_days, working_days_text};
use kefu_domain::entities::Id;
use kefu_domain::{FieldErrors, service::Calendar};
use serde::Deserialize;

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

/// A calendar as its form shows it (also the form a refused save comes back with).
#[derive(Debug, Default, Deserialize)]
pub struct CalendarForm {
    #[serde(skip)]
    id: Option<Id>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    monday: String,
    #[serde(default)]
    tuesday: String,
    #[serde(default)]
    wednesday: String,
    #[serde(default)]
    thursday: String,
    #[serde(default)]
    friday: String,
    #[serde(default)]
    saturday: String,
    #[serde(default)]
    sunday: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    working_days: String,
}

impl CalendarForm {
    fn of(calendar: &Calendar) -> Self {
        let weekly = &calendar.spec.weekly;
        let day = |d| hours_text(weekly.get(d));
        CalendarForm {
            id: Some(calendar.id),
            name: calendar.name.clone(),
            zone: calendar.spec.zone.clone(),
            monday: day(Weekday::Monday),
            tuesday: day(Weekday::Tuesday),
            wednesday: day(Weekday::Wednesday),
            thursday: day(Weekday::Thursday),
            friday: day(Weekday::Friday),
            saturday: day(Weekday::Saturday),
            sunday: day(Weekday::Sunday),
            holidays: holidays_text(&calendar.spec.holidays),
            working_days: working_days_text(&calendar.spec.working_days),
        }
    }

    /// A new calendar's starting point: China's zone, 09:00-18:00 on weekdays.
    fn new_default() -> Self {
        let office = "09:00-12:00, 13:30-18:00".to_owned();
        CalendarForm {
            zone: "Asia/Shanghai".into(),
            monday: office.clone(),
            tuesday: office.clone(),
            wednesday: office.clone(),
            thursday: office.clone(),
            friday: office,
            ..CalendarForm::default()
        }
    }

    /// The hours typed for a weekday (by its field name).
    fn day(&self, field: &str) -> &str {
        match field {
            "monday" => &self.monday,
            "tuesday" => &self.tuesday,
            "wednesday" => &self.wednesday,
            "thursday" => &self.thursday,
            "friday" => &self.friday,
            "saturday" => &self.saturday,
            _ => &self.sunday,
        }
    }

    fn input(&self) -> Result<CalendarInput, AppError> {
        let mut errors = FieldErrors::default();
        let mut weekly = WeeklyHours::default();
        for (day, field) in WEEKDAYS {
            if let Some(hours) = errors.take(parse_hours(field, self.day(field))) {
                *weekly.get_mut(day) = hours;
            }
        }
        let holidays = errors.take(parse_holidays("holidays", &self.holidays));
        let working_days = errors.take(parse_working_days("working_days", &self.working_days));
        let (Some(holidays), Some(working_days)) = (holidays, working_days) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.0.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(CalendarInput {
            name: Some(self.name.clone()),
            spec: Some(CalendarSpec {
                zone: self.zone.trim().to_owned(),
                weekly,
                holidays,
                working_days,
            }),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_calendars.html")]
struct CalendarsPage {
    chrome: Chrome,
    calendars: Vec<CalendarForm>,
    new: CalendarForm,
    weekdays: Vec<(&'static str, String)>,
    error: Option<String>,
    notice: Option<String>,
}

/// The page; a refused form comes back in place of the calendar it was for, as typed.
async fn calendars_page(
    state: &AppState,
    lang: Lang,
    session: &Session,
    returned: Option<CalendarForm>,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_admin("only admins manage calendars") {
        return UiError::from(error).page(lang);
    }
    let calendars = match state.app.calendars(actor).await {
        Ok(calendars) => calendars,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut returned = returned;
    let mut forms: Vec<CalendarForm> = Vec::with_capacity(calendars.len());
    for calendar in &calendars {
        match returned.take_if(|form| form.id == Some(calendar.id)) {
            Some(form) => forms.push(form),
            None => forms.push(CalendarForm::of(calendar)),
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CalendarsPage {
        chrome: Chrome::signed_in(lang, session, "/admin/calendars"),
        calendars: forms,
        new: returned.unwrap_or_else(CalendarForm::new_default),
        weekdays: WEEKDAYS.iter().map(|(_, field)| (*field, tr.label("weekday", field))).collect(),
        error,
        notice,
    };
    (status, page).into_response()
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    calendars_page(&state, lang, &session, None, None, None).await
}

async fn answer<T>(state: &AppState, lang: Lang, session: &Session, form: Option<CalendarForm>, result: AppResult<T>) -> Response {
    answer_form(lang, "/admin/calendars", result, |message| {
        calendars_page(state, lang, session, form, Some(message), None)
    })
    .await
}

pub async fn create(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<CalendarForm>) -> Response {
    let result = match form.input() {
        Ok(input) => state.app.create_calendar(&session.0.actor, input).await,
        Err(error) => Err(error),
    };
    answer(&state, lang, &session, Some(form), result).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(mut form): Form<CalendarForm>,
) -> Response {
    form.id = Some(id);
    let result = match form.input() {
        Ok(input) => state.app.update_calendar(&session.0.actor, id, input).await,
        Err(error) => Err(error),
    };
    answer(&state, lang, &session, Some(form), result).await
}

pub async fn delete(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    let result = state.app.delete_calendar(&session.0.actor, id).await;
    answer(&state, lang, &session, None, result).await
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    working_day_hours: String,
}

/// Adds the holidays (and 补班 days) of an uploaded `.ics` file; says how many.
pub async fn import(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    form: Result<FormWithFiles<ImportForm>, UploadRejection>,
) -> Response {
    let tr = Tr(lang);
    let refused = |message: String| calendars_page(&state, lang, &session, None, Some(message), None);
    let FormWithFiles { form, files } = match form {
        Ok(form) => form,
        Err(UploadRejection(error)) => return refused(UiError::from(error).status_and_message(tr).1).await,
    };
    let Some(file) = files.into_iter().next() else {
        return refused(tr.t("calendars.no_file")).await;
    };
    let Ok(ics) = String::from_utf8(file.bytes) else {
        return refused(tr.t("calendars.not_text")).await;
    };
    let hours = Some(form.working_day_hours).filter(|h| !h.trim().is_empty());
    match state.app.import_holidays(&session.0.actor, id, ics, hours).await {
        Ok(report) => {
            let notice = tr
                .t("calendars.imported")
                .replace("%{holidays}", &(report.holidays_added + report.holidays_replaced).to_string())
                .replace(
                    "%{working_days}",
                    &(report.working_days_added + report.working_days_replaced).to_string(),
                );
            calendars_page(&state, lang, &session, None, None, Some(notice)).await
        }
        Err(error) => match refusal(error, tr) {
            Ok(message) => refused(message).await,
            Err(error) => error.page(lang),
        },
    }
}
