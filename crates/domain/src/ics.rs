//! iCalendar (.ics, RFC 5545) holiday import: turns the events of a published holiday
//! calendar into [`HolidaySpec`]s and, for mainland China's 调休, [`WorkingDaySpec`]s.
//!
//! Only what a holiday calendar needs is read: `DTSTART`, `DTEND`/`DURATION`, `SUMMARY`,
//! `STATUS`, yearly `RRULE`s with `EXDATE` and `RECURRENCE-ID`. Everything else (alarms,
//! descriptions, `VTIMEZONE` definitions, to-dos) is ignored, so a small hand-written reader
//! is enough and keeps the domain free of a date library it does not otherwise use.
//!
//! # How events become days
//!
//! * An all-day event (`DTSTART;VALUE=DATE:20261001`) closes each of its dates: `DTEND` is
//!   exclusive, `DURATION:P3D` counts days, and with neither it lasts one day.
//! * A timed event closes its interval of one civil day (a partial holiday), e.g. Christmas
//!   Eve 12:00-24:00. Times with a `TZID` are read in that zone; floating times as written;
//!   UTC times (`...Z`) need a zone to be read in ([`ImportOptions::zone`], else the file's
//!   `X-WR-TIMEZONE`). An event that crosses midnight is skipped: split days are rare enough
//!   in holiday files that guessing is worse than saying so.
//! * An event whose `SUMMARY` says it is a working day (contains `班` as in 补班 / 上班 /
//!   调休上班, or "working day", "workday", "work day" in any case) becomes an extra working
//!   day with the caller's hours, whatever times the event itself has: Chinese holiday feeds
//!   mark 补班 as 09:00-18:00 events, which says nothing about a given team's hours.
//! * `RRULE:FREQ=YEARLY` (with `INTERVAL`, `COUNT`, `UNTIL`, and `BYMONTH`/`BYMONTHDAY` only
//!   when they repeat the start date) repeats the event; a rule without end is expanded for
//!   ten years. Other rules (e.g. "fourth Thursday of November") are skipped with a reason.
//!
//! Events that cannot be used are listed in [`ImportedDays::skipped`]; text that is not
//! iCalendar, or a date that cannot be read, fails the whole import with the line number.
//!
//! ```
//! use kefu_domain::ics::parse_holidays;
//!
//! let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261003\r\n\
//!            SUMMARY:国庆节\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
//! let days = parse_holidays(ics, &["09:00-18:00".parse().unwrap()]).unwrap();
//! let dates: Vec<String> = days.holidays.iter().map(|h| h.date.to_string()).collect();
//! assert_eq!(dates, ["2026-10-01", "2026-10-02"]);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Span, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::DayInterval;
use crate::calendar_spec::{HolidaySpec, WorkingDaySpec};
use crate::error::{DomainError, FieldError, FieldErrors};

/// The field under which every import error is reported.
const FIELD: &str = "ics";
/// Errors reported at most: a wrong file would otherwise produce one per event.
const MAX_ERRORS: usize = 20;
/// Longest all-day event imported; longer ones are most likely "semester" or "season" events.
const MAX_EVENT_DAYS: i64 = 366;
/// Occurrences of one recurring event imported at most.
const MAX_OCCURRENCES: usize = 200;
/// How far a yearly rule without `COUNT` or `UNTIL` is expanded.
const OPEN_ENDED_YEARS: i64 = 10;

/// Days found in an iCalendar file, sorted by date with at most one entry per date in each
/// list, ready for [`CalendarSpec::merge_holidays`](crate::calendar_spec::CalendarSpec::merge_holidays).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedDays {
    pub holidays: Vec<HolidaySpec>,
    pub working_days: Vec<WorkingDaySpec>,
    /// Why some events were ignored, one sentence each, e.g.
    /// `"Thanksgiving" (line 40): the rule FREQ=YEARLY;BYMONTH=11;BYDAY=4TH is not supported (BYDAY is not imported)`.
    pub skipped: Vec<String>,
}

/// How to read an iCalendar file; see [`parse_holidays_with`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions<'a> {
    /// Opening hours of make-up working days (调休 / 补班). When empty, such events are skipped.
    pub working_day_hours: &'a [DayInterval],
    /// The zone of the calendar the days are for. Timed events are converted to it; without
    /// it they are taken in their own `TZID`, and UTC times in the file's `X-WR-TIMEZONE`.
    pub zone: Option<TimeZone>,
    /// Yearly rules without end are expanded for ten years from this date (or from the event's
    /// start if later). Without it, from the event's start, which for an old "every 25
    /// December since 2010" event yields only past dates. The domain has no clock: pass today.
    pub recurrence_from: Option<Date>,
}

/// Reads holidays from an iCalendar file; make-up working days get `working_day_hours`.
/// Timed events are read in their own time zone; see [`parse_holidays_with`] to convert them
/// to the calendar's zone and to expand open-ended yearly rules from today.
///
/// Errors are [`DomainError::Invalid`] with field errors on `ics` whose message names the
/// line: `not_icalendar`, `invalid_line`, `unbalanced_component`, `invalid_date`,
/// `invalid_duration`.
pub fn parse_holidays(ics: &str, working_day_hours: &[DayInterval]) -> Result<ImportedDays, DomainError> {
    parse_holidays_with(
        ics,
        &ImportOptions {
            working_day_hours,
            ..ImportOptions::default()
        },
    )
}

/// Like [`parse_holidays`], with every option.
///
/// ```
/// use jiff::civil::date;
/// use jiff::tz::TimeZone;
/// use kefu_domain::ics::{ImportOptions, parse_holidays_with};
///
/// // Christmas since 2010, imported in 2026: 2026 to 2035, not 2010 to 2019.
/// let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20101225\nRRULE:FREQ=YEARLY\n\
///            SUMMARY:Christmas Day\nEND:VEVENT\nEND:VCALENDAR\n";
/// let options = ImportOptions {
///     zone: Some(TimeZone::get("Europe/London").unwrap()),
///     recurrence_from: Some(date(2026, 3, 1)),
///     ..ImportOptions::default()
/// };
/// let days = parse_holidays_with(ics, &options).unwrap();
/// assert_eq!(days.holidays.len(), 10);
/// assert_eq!(days.holidays[0].date, date(2026, 12, 25));
/// ```
pub fn parse_holidays_with(ics: &str, options: &ImportOptions<'_>) -> Result<ImportedDays, DomainError> {
    let file = read_calendar(ics).map_err(|e| DomainError::Invalid(FieldErrors(vec![e])))?;
    let file_zone = file.x_wr_timezone.as_deref().and_then(|name| TimeZone::get(name).ok());
    let context = Context {
        options,
        utc_zone: options.zone.clone().or(file_zone),
        overridden: overridden_occurrences(&file.events)?,
    };

    let mut errors = FieldErrors::default();
    let mut days = Collector::default();
    for event in &file.events {
        let label = event.label();
        match interpret(event, &context) {
            Ok(outcome) => {
                for day in outcome.days {
                    days.add(day, &label, options.working_day_hours);
                }
                if let Some(note) = outcome.note {
                    days.skipped.push(format!("{label}: {note}"));
                }
            }
            Err(Trouble::Skip(reason)) => days.skipped.push(format!("{label}: {reason}")),
            Err(Trouble::Invalid(error)) => {
                if errors.0.len() < MAX_ERRORS {
                    errors.push(error);
                }
            }
        }
    }
    errors.into_result()?;
    Ok(days.finish(options.working_day_hours))
}

// ---- reading the file ----

/// One content line, unfolded: `NAME;PARAM=value:value`.
#[derive(Debug)]
struct Property {
    /// Upper case.
    name: String,
    /// Names upper case, values without quotes; several values joined by commas.
    params: Vec<(String, String)>,
    value: String,
    line: usize,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
struct Event {
    /// Line of its `BEGIN:VEVENT`.
    line: usize,
    properties: Vec<Property>,
}

impl Event {
    fn get(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    fn summary(&self) -> String {
        self.get("SUMMARY").map(|p| unescape_text(&p.value)).unwrap_or_default()
    }

    /// How the event is named in `skipped`.
    fn label(&self) -> String {
        let summary = self.summary();
        if summary.is_empty() {
            format!("event at line {}", self.line)
        } else {
            format!("\"{summary}\" (line {})", self.line)
        }
    }
}

struct CalendarFile {
    events: Vec<Event>,
    x_wr_timezone: Option<String>,
}

/// RFC 5545 §3.1: a line starting with a space or tab continues the previous one (the
/// whitespace itself is dropped). Returns logical lines with the number of their first line.
fn unfold(ics: &str) -> Vec<(usize, String)> {
    let text = ics.strip_prefix('\u{feff}').unwrap_or(ics);
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, previous))) => previous.push_str(rest),
            _ => lines.push((index + 1, raw.to_string())),
        }
    }
    lines
}

fn invalid(code: &'static str, line: usize, message: impl std::fmt::Display) -> FieldError {
    FieldError::new(FIELD, code, format!("line {line}: {message}"))
}

fn read_calendar(ics: &str) -> Result<CalendarFile, FieldError> {
    let mut file = CalendarFile {
        events: Vec::new(),
        x_wr_timezone: None,
    };
    // Open components with the line of their BEGIN.
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut event: Option<Event> = None;
    let mut seen_calendar = false;
    for (line, text) in unfold(ics) {
        if text.trim().is_empty() {
            continue;
        }
        if open.is_empty() && !text.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR") {
            let what = if seen_calendar {
                "text after END:VCALENDAR"
            } else {
                "expected BEGIN:VCALENDAR"
            };
            return Err(invalid(
                "not_icalendar",
                line,
                format!("{what}; this does not look like an iCalendar (.ics) file"),
            ));
        }
        let property = parse_property(line, &text)?;
        match property.name.as_str() {
            "BEGIN" => {
                let component = property.value.trim().to_ascii_uppercase();
                if open.len() == 1 && component == "VEVENT" {
                    event = Some(Event {
                        line,
                        properties: Vec::new(),
                    });
                }
                open.push((component, line));
                seen_calendar = true;
            }
            "END" => {
                let component = property.value.trim().to_ascii_uppercase();
                match open.pop() {
                    Some((name, _)) if name == component => {
                        if open.len() == 1
                            && component == "VEVENT"
                            && let Some(done) = event.take()
                        {
                            file.events.push(done);
                        }
                    }
                    Some((name, begin)) => {
                        return Err(invalid(
                            "unbalanced_component",
                            line,
                            format!("END:{component} while {name} (opened at line {begin}) is still open"),
                        ));
                    }
                    None => {
                        return Err(invalid("unbalanced_component", line, format!("END:{component} without BEGIN")));
                    }
                }
            }
            _ => {
                if open.len() == 2 && open[1].0 == "VEVENT" {
                    if let Some(current) = event.as_mut() {
                        current.properties.push(property);
                    }
                } else if open.len() == 1 && property.name == "X-WR-TIMEZONE" {
                    file.x_wr_timezone = Some(property.value.trim().to_string());
                }
            }
        }
    }
    if let Some((name, begin)) = open.last() {
        return Err(invalid(
            "unbalanced_component",
            *begin,
            format!("{name} is never closed (END:{name} missing); is the file cut short?"),
        ));
    }
    if !seen_calendar {
        return Err(FieldError::new(
            FIELD,
            "not_icalendar",
            "the file is empty; expected an iCalendar (.ics) file starting with BEGIN:VCALENDAR",
        ));
    }
    Ok(file)
}

/// Splits `NAME *(;PARAM=value[,value]) : value`; parameter values may be quoted and then
/// contain `:`, `;` and `,`.
fn parse_property(line: usize, text: &str) -> Result<Property, FieldError> {
    let bad = |why: &str| {
        let shown: String = text.chars().take(60).collect();
        invalid("invalid_line", line, format!("{why} in {shown:?}"))
    };
    let name_end = text.find([';', ':']).ok_or_else(|| bad("expected NAME:VALUE"))?;
    let name = &text[..name_end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(bad("expected a property name of letters, digits and '-'"));
    }
    let mut rest = &text[name_end..];
    let mut params = Vec::new();
    while let Some(param) = rest.strip_prefix(';') {
        let equals = param.find('=').ok_or_else(|| bad("expected PARAM=value"))?;
        let param_name = param[..equals].trim().to_ascii_uppercase();
        let mut values = Vec::new();
        let mut tail = &param[equals + 1..];
        loop {
            if let Some(quoted) = tail.strip_prefix('"') {
                let close = quoted.find('"').ok_or_else(|| bad("unclosed quote"))?;
                values.push(&quoted[..close]);
                tail = &quoted[close + 1..];
            } else {
                let end = tail.find([',', ';', ':']).ok_or_else(|| bad("expected ':' before the value"))?;
                values.push(&tail[..end]);
                tail = &tail[end..];
            }
            match tail.strip_prefix(',') {
                Some(more) => tail = more,
                None => break,
            }
        }
        params.push((param_name, values.join(",")));
        rest = tail;
    }
    let value = rest.strip_prefix(':').ok_or_else(|| bad("expected ':' before the value"))?;
    Ok(Property {
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_string(),
        line,
    })
}

/// TEXT values (RFC 5545 §3.3.11): `\\`, `\;`, `\,` and `\n` are escapes. A holiday name is
/// one line, so newlines and runs of white space become one space.
fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- dates and times ----

/// Where a date-time is anchored.
#[derive(Debug, Clone)]
enum Source {
    /// No zone: the same civil time wherever the calendar is.
    Floating,
    /// `...Z`.
    Utc,
    /// `TZID=Europe/Berlin`.
    Zone(TimeZone),
}

#[derive(Debug, Clone)]
enum Moment {
    Date(Date),
    DateTime(DateTime, Source),
}

impl Moment {
    /// The civil date as written.
    fn date(&self) -> Date {
        match self {
            Moment::Date(date) => *date,
            Moment::DateTime(datetime, _) => datetime.date(),
        }
    }
}

/// Why an event yields nothing: a reason for the admin, or an error in the file.
enum Trouble {
    Skip(String),
    Invalid(FieldError),
}

fn skip(reason: impl Into<String>) -> Trouble {
    Trouble::Skip(reason.into())
}

fn bad_date(property: &Property, value: &str) -> Trouble {
    Trouble::Invalid(invalid(
        "invalid_date",
        property.line,
        format!(
            "{} {value:?} is not a date (expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ)",
            property.name
        ),
    ))
}

fn digits(s: &str) -> Option<i32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYYMMDD`.
fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 8 || !s.is_ascii() {
        return None;
    }
    let year = i16::try_from(digits(&s[0..4])?).ok()?;
    let month = i8::try_from(digits(&s[4..6])?).ok()?;
    let day = i8::try_from(digits(&s[6..8])?).ok()?;
    Date::new(year, month, day).ok()
}

/// `YYYYMMDDTHHMMSS`, with whether it ends in `Z`. A leap second (60) is read as 59.
fn parse_datetime(s: &str) -> Option<(DateTime, bool)> {
    let (s, utc) = match s.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let (date, time) = s.split_once(['T', 't'])?;
    if time.len() != 6 || !time.is_ascii() {
        return None;
    }
    let hour = i8::try_from(digits(&time[0..2])?).ok()?;
    let minute = i8::try_from(digits(&time[2..4])?).ok()?;
    let second = i8::try_from(digits(&time[4..6])?).ok()?.min(59);
    let time = Time::new(hour, minute, second, 0).ok()?;
    Some((parse_date(date)?.to_datetime(time), utc))
}

/// One value of a DATE or DATE-TIME property, told apart by its shape rather than by
/// `VALUE=`, which some generators leave out.
fn parse_moment(property: &Property, value: &str) -> Result<Moment, Trouble> {
    let value = value.trim();
    if !value.contains(['T', 't']) {
        return parse_date(value).map(Moment::Date).ok_or_else(|| bad_date(property, value));
    }
    let (datetime, utc) = parse_datetime(value).ok_or_else(|| bad_date(property, value))?;
    if utc {
        return Ok(Moment::DateTime(datetime, Source::Utc));
    }
    match property.param("TZID") {
        None => Ok(Moment::DateTime(datetime, Source::Floating)),
        Some(tzid) => {
            // A leading '/' marks a "globally unique" id (RFC 5545 §3.2.19); IANA names follow it.
            let name = tzid.trim().trim_start_matches('/');
            match TimeZone::get(name) {
                Ok(zone) => Ok(Moment::DateTime(datetime, Source::Zone(zone))),
                Err(_) => Err(skip(format!(
                    "unknown time zone {tzid:?} (an IANA name such as Europe/Berlin is needed)"
                ))),
            }
        }
    }
}

fn parse_duration(property: &Property) -> Result<Span, Trouble> {
    property.value.trim().parse::<Span>().map_err(|_| {
        Trouble::Invalid(invalid(
            "invalid_duration",
            property.line,
            format!(
                "DURATION {:?} is not a duration (expected e.g. P1D, P2W or PT4H)",
                property.value.trim()
            ),
        ))
    })
}

fn has_time_units(span: &Span) -> bool {
    span.get_hours() != 0
        || span.get_minutes() != 0
        || span.get_seconds() != 0
        || span.get_milliseconds() != 0
        || span.get_microseconds() != 0
        || span.get_nanoseconds() != 0
}

// ---- events ----

struct Context<'a> {
    options: &'a ImportOptions<'a>,
    /// The zone UTC times are read in.
    utc_zone: Option<TimeZone>,
    /// Occurrences of recurring events replaced by another event (`RECURRENCE-ID`), by `UID`.
    overridden: BTreeMap<String, BTreeSet<Date>>,
}

/// What one event contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Day {
    /// Closed on a date: all day (`None`) or during an interval.
    Holiday(Date, Option<DayInterval>, String),
    Working(Date, String),
}

struct Outcome {
    days: Vec<Day>,
    /// Something the admin should know although the event was imported.
    note: Option<String>,
}

fn overridden_occurrences(events: &[Event]) -> Result<BTreeMap<String, BTreeSet<Date>>, DomainError> {
    let mut overridden: BTreeMap<String, BTreeSet<Date>> = BTreeMap::new();
    let mut errors = FieldErrors::default();
    for event in events {
        let (Some(uid), Some(id)) = (event.get("UID"), event.get("RECURRENCE-ID")) else {
            continue;
        };
        match parse_moment(id, &id.value) {
            Ok(moment) => {
                overridden.entry(uid.value.trim().to_string()).or_default().insert(moment.date());
            }
            Err(Trouble::Invalid(error)) if errors.0.len() < MAX_ERRORS => errors.push(error),
            Err(_) => {}
        }
    }
    errors.into_result()?;
    Ok(overridden)
}

/// Whether an event marks a make-up working day rather than a day off.
fn is_working_day(summary: &str) -> bool {
    let lower = summary.to_lowercase();
    summary.contains('班') || ["working day", "workday", "work day"].iter().any(|w| lower.contains(w))
}

fn interpret(event: &Event, context: &Context<'_>) -> Result<Outcome, Trouble> {
    let name = event.summary();
    if event
        .get("STATUS")
        .is_some_and(|s| s.value.trim().eq_ignore_ascii_case("CANCELLED"))
    {
        return Err(skip("cancelled"));
    }
    let start_property = event.get("DTSTART").ok_or_else(|| skip("no start date (DTSTART)"))?;
    let start = parse_moment(start_property, &start_property.value)?;
    let (starts, note) = occurrences(event, start.date(), context)?;
    let working = is_working_day(&name);
    let mut days = Vec::new();
    match start {
        Moment::Date(first) => {
            let length = all_day_length(event, first)?;
            for date in starts {
                if working {
                    days.push(Day::Working(date, name.clone()));
                    continue;
                }
                let mut day = date;
                for _ in 0..length {
                    days.push(Day::Holiday(day, None, name.clone()));
                    match day.tomorrow() {
                        Ok(next) => day = next,
                        Err(_) => break,
                    }
                }
            }
        }
        Moment::DateTime(first, source) => {
            let length = timed_length(event, first, &source)?;
            let arithmetic_zone = match &source {
                Source::Zone(zone) => zone.clone(),
                Source::Floating | Source::Utc => TimeZone::UTC,
            };
            for date in starts {
                let start = date
                    .to_datetime(first.time())
                    .to_zoned_datetime(arithmetic_zone.clone())
                    .map_err(|_| skip("its start is out of range"))?;
                let end = start.checked_add(length).map_err(|_| skip("its end is out of range"))?;
                let (local_start, local_end) = match (local(&start, &source, context), local(&end, &source, context)) {
                    (Some(s), Some(e)) => (s, e),
                    _ if working => (start.datetime(), end.datetime()),
                    _ => {
                        return Err(skip(
                            "its time is in UTC and the calendar's time zone is not known; import it with the zone, or use all-day events",
                        ));
                    }
                };
                if working {
                    days.push(Day::Working(local_start.date(), name.clone()));
                } else {
                    let closed = closed_interval(local_start, local_end)?;
                    let closed = (closed != DayInterval::WHOLE_DAY).then_some(closed);
                    days.push(Day::Holiday(local_start.date(), closed, name.clone()));
                }
            }
        }
    }
    Ok(Outcome { days, note })
}

/// Days an all-day event lasts: `DTEND` is exclusive, `DURATION` counts days, one by default.
fn all_day_length(event: &Event, start: Date) -> Result<i64, Trouble> {
    let days = if let Some(end_property) = event.get("DTEND") {
        match parse_moment(end_property, &end_property.value)? {
            // Some generators write DTEND = DTSTART for a one-day event.
            Moment::Date(end) => (end.duration_since(start).as_secs() / 86_400).max(1),
            Moment::DateTime(..) => return Err(skip("DTSTART is a date but DTEND has a time")),
        }
    } else if let Some(duration) = event.get("DURATION") {
        let span = parse_duration(duration)?;
        if has_time_units(&span) || span.signum() <= 0 {
            return Err(skip(format!(
                "an all-day event needs a duration of whole days, not {}",
                duration.value.trim()
            )));
        }
        let end = start.checked_add(span).map_err(|_| skip("its end is out of range"))?;
        end.duration_since(start).as_secs() / 86_400
    } else {
        1
    };
    if days > MAX_EVENT_DAYS {
        return Err(skip(format!("it lasts {days} days; events longer than a year are not holidays")));
    }
    Ok(days)
}

/// How long a timed event lasts: until `DTEND` (exactly, in real time), or its `DURATION`
/// (whose days are civil days, RFC 5545 §3.3.6).
fn timed_length(event: &Event, start: DateTime, source: &Source) -> Result<Span, Trouble> {
    if let Some(end_property) = event.get("DTEND") {
        let Moment::DateTime(end, end_source) = parse_moment(end_property, &end_property.value)? else {
            return Err(skip("DTSTART has a time but DTEND is a date"));
        };
        let zone_of = |s: &Source| match s {
            Source::Zone(zone) => zone.clone(),
            Source::Floating | Source::Utc => TimeZone::UTC,
        };
        let out_of_range = || skip("its dates are out of range");
        let start = start.to_zoned_datetime(zone_of(source)).map_err(|_| out_of_range())?;
        let end = end.to_zoned_datetime(zone_of(&end_source)).map_err(|_| out_of_range())?;
        let length = start.duration_until(&end);
        if length.is_zero() || length.is_negative() {
            return Err(skip("it ends before it starts"));
        }
        Span::try_from(length).map_err(|_| out_of_range())
    } else if let Some(duration) = event.get("DURATION") {
        let span = parse_duration(duration)?;
        if span.signum() <= 0 {
            return Err(skip("it has no positive duration"));
        }
        Ok(span)
    } else {
        Err(skip("it has a start time but no end (DTEND or DURATION)"))
    }
}

/// The civil time of `at` in the calendar's zone, as far as it is known.
fn local(at: &ZonedDateTime, source: &Source, context: &Context<'_>) -> Option<DateTime> {
    match source {
        Source::Floating => Some(at.datetime()),
        Source::Zone(_) => Some(match &context.options.zone {
            Some(zone) => at.with_time_zone(zone.clone()).datetime(),
            None => at.datetime(),
        }),
        Source::Utc => context.utc_zone.as_ref().map(|zone| at.with_time_zone(zone.clone()).datetime()),
    }
}

/// The part of one civil day between two civil times, to the whole minute (the start rounded
/// down, the end up). An end at the next midnight is 24:00.
fn closed_interval(start: DateTime, end: DateTime) -> Result<DayInterval, Trouble> {
    let minute = |t: Time| u16::try_from(i32::from(t.hour()) * 60 + i32::from(t.minute())).unwrap_or(0);
    let date = start.date();
    let end_minute = if end.date() == date {
        minute(end.time()) + u16::from(end.second() != 0 || end.subsec_nanosecond() != 0)
    } else if date.tomorrow().ok() == Some(end.date()) && end.time() == Time::midnight() {
        24 * 60
    } else {
        return Err(skip(format!(
            "it runs from {start} to {end} (local time), across midnight; split it into one event per day"
        )));
    };
    DayInterval::from_minutes(minute(start.time()), end_minute).map_err(|_| skip("it ends before it starts"))
}

/// Start dates of an event: its own, or those of its yearly rule minus `EXDATE`s and
/// occurrences replaced by `RECURRENCE-ID` events. Also a note when the rule was cut short.
fn occurrences(event: &Event, start: Date, context: &Context<'_>) -> Result<(Vec<Date>, Option<String>), Trouble> {
    let Some(rule_property) = event.get("RRULE") else {
        return Ok((vec![start], None));
    };
    let rule = YearlyRule::parse(rule_property)?;
    let mut excluded: BTreeSet<Date> = BTreeSet::new();
    for exdate in event.properties.iter().filter(|p| p.name == "EXDATE") {
        for value in exdate.value.split(',').filter(|v| !v.trim().is_empty()) {
            excluded.insert(parse_moment(exdate, value)?.date());
        }
    }
    if let Some(dates) = event.get("UID").and_then(|uid| context.overridden.get(uid.value.trim())) {
        excluded.extend(dates);
    }
    if rule.bymonth.is_some_and(|m| m != start.month()) || rule.bymonthday.is_some_and(|d| d != start.day()) {
        return Err(skip(format!(
            "the rule {} does not repeat the start date; it is not supported",
            rule_property.value.trim()
        )));
    }

    // A rule without end is expanded over a window; one with COUNT or UNTIL in full.
    let window = if rule.count.is_none() && rule.until.is_none() {
        let from = context.options.recurrence_from.map_or(start, |from| from.max(start));
        let to = from.checked_add(Span::new().years(OPEN_ENDED_YEARS)).unwrap_or(Date::MAX);
        Some((from, to))
    } else {
        None
    };
    let mut dates = Vec::new();
    let mut produced: u32 = 0;
    let mut note = None;
    let mut year = i32::from(start.year());
    // Dates end in 9999.
    while let Ok(year_i16) = i16::try_from(year)
        && year <= 9999
    {
        // 29 February exists only in leap years; other years have no occurrence (RFC 5545).
        if let Ok(date) = Date::new(year_i16, start.month(), start.day()) {
            if rule.until.is_some_and(|until| date > until) || rule.count.is_some_and(|count| produced >= count) {
                break;
            }
            produced += 1;
            if let Some((from, to)) = window {
                if date >= to {
                    break;
                }
                if date < from {
                    year += rule.interval;
                    continue;
                }
            }
            if !excluded.contains(&date) {
                if dates.len() == MAX_OCCURRENCES {
                    note = Some(format!("only its first {MAX_OCCURRENCES} occurrences were imported"));
                    break;
                }
                dates.push(date);
            }
        }
        year += rule.interval;
    }
    Ok((dates, note))
}

/// The part of RRULE this import understands: `FREQ=YEARLY` on the start date.
struct YearlyRule {
    interval: i32,
    count: Option<u32>,
    until: Option<Date>,
    bymonth: Option<i8>,
    bymonthday: Option<i8>,
}

impl YearlyRule {
    fn parse(property: &Property) -> Result<YearlyRule, Trouble> {
        let text = property.value.trim();
        let unsupported = |why: &str| skip(format!("the rule {text} is not supported ({why})"));
        let mut rule = YearlyRule {
            interval: 1,
            count: None,
            until: None,
            bymonth: None,
            bymonthday: None,
        };
        let mut yearly = false;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| unsupported("unreadable"))?;
            let number = || digits(value).ok_or_else(|| unsupported("unreadable"));
            match key.to_ascii_uppercase().as_str() {
                "FREQ" if value.eq_ignore_ascii_case("YEARLY") => yearly = true,
                "FREQ" => return Err(unsupported("only yearly rules are imported")),
                "INTERVAL" => rule.interval = number()?.clamp(1, 10_000),
                "COUNT" => rule.count = Some(u32::try_from(number()?).unwrap_or(0)),
                "UNTIL" => rule.until = Some(parse_moment(property, value)?.date()),
                "BYMONTH" => rule.bymonth = Some(i8::try_from(number()?).unwrap_or(0)),
                "BYMONTHDAY" => rule.bymonthday = Some(i8::try_from(number()?).unwrap_or(0)),
                "WKST" => {}
                other => return Err(unsupported(&format!("{other} is not imported"))),
            }
        }
        if !yearly {
            return Err(unsupported("FREQ=YEARLY expected"));
        }
        Ok(rule)
    }
}

// ---- collecting days ----

#[derive(Default)]
struct Collector {
    /// Closed intervals by date; `None` closes the whole day.
    holidays: BTreeMap<Date, (Vec<String>, Option<Vec<DayInterval>>)>,
    working_days: BTreeMap<Date, Vec<String>>,
    skipped: Vec<String>,
}

fn add_name(names: &mut Vec<String>, name: String) {
    if !name.is_empty() && !names.contains(&name) {
        names.push(name);
    }
}

impl Collector {
    fn add(&mut self, day: Day, label: &str, working_day_hours: &[DayInterval]) {
        match day {
            Day::Holiday(date, closed, name) => {
                let (names, intervals) = self.holidays.entry(date).or_insert_with(|| (Vec::new(), Some(Vec::new())));
                add_name(names, name);
                match (intervals.as_mut(), closed) {
                    (Some(list), Some(interval)) => list.push(interval),
                    (_, None) => *intervals = None,
                    (None, Some(_)) => {}
                }
            }
            Day::Working(date, name) => {
                if working_day_hours.is_empty() {
                    self.skipped
                        .push(format!("{label}: {date} is a make-up working day, but no working hours were given"));
                } else {
                    add_name(self.working_days.entry(date).or_default(), name);
                }
            }
        }
    }

    /// One entry per date. Events on the same date are combined (names joined, closed
    /// intervals united), and a date that is both a whole-day holiday and a working day stays
    /// a holiday: closing by mistake is cheaper than promising service nobody gives.
    fn finish(mut self, working_day_hours: &[DayInterval]) -> ImportedDays {
        let holidays: Vec<HolidaySpec> = self
            .holidays
            .into_iter()
            .map(|(date, (names, closed))| HolidaySpec {
                date,
                name: names.join(" / "),
                closed: closed
                    .map(union)
                    .filter(|c| c.as_slice() != [DayInterval::WHOLE_DAY])
                    .unwrap_or_default(),
            })
            .collect();
        let whole_days: BTreeSet<Date> = holidays.iter().filter(|h| h.closed.is_empty()).map(|h| h.date).collect();
        let mut working_days = Vec::new();
        for (date, names) in self.working_days {
            let name = names.join(" / ");
            if whole_days.contains(&date) {
                let label = if name.is_empty() { String::new() } else { format!("\"{name}\": ") };
                self.skipped.push(format!(
                    "{label}{date} is both a holiday and a working day in the file; kept as a holiday"
                ));
            } else {
                working_days.push(WorkingDaySpec {
                    date,
                    name,
                    hours: working_day_hours.to_vec(),
                });
            }
        }
        ImportedDays {
            holidays,
            working_days,
            skipped: self.skipped,
        }
    }
}

/// Sorted, disjoint intervals covering the same minutes; touching intervals are joined.
fn union(mut intervals: Vec<DayInterval>) -> Vec<DayInterval> {
    intervals.sort();
    let mut out: Vec<DayInterval> = Vec::with_capacity(intervals.len());
    for interval in intervals {
        match out.last_mut() {
            Some(last) if interval.start_minute() <= last.end_minute() => {
                if interval.end_minute() > last.end_minute()
                    && let Ok(joined) = DayInterval::from_minutes(last.start_minute(), interval.end_minute())
                {
                    *last = joined;
                }
            }
            _ => out.push(interval),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn iv(s: &str) -> DayInterval {
        s.parse().unwrap()
    }

    fn office() -> Vec<DayInterval> {
        vec![iv("09:00-12:00"), iv("13:30-18:00")]
    }

    fn errors(result: Result<ImportedDays, DomainError>) -> Vec<(String, &'static str, String)> {
        match result {
            Err(DomainError::Invalid(errors)) => errors.0.into_iter().map(|e| (e.field, e.code, e.message)).collect(),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    fn holiday_dates(days: &ImportedDays) -> Vec<String> {
        days.holidays.iter().map(|h| h.date.to_string()).collect()
    }

    /// Shaped like the widely used Chinese holiday feeds: one all-day event per day off,
    /// 补班 as 09:00-18:00 floating events with an alarm, CRLF line ends, and a folded
    /// DESCRIPTION. 2026: 中秋节 Sep 25-27, 国庆节 Oct 1-7, worked Sep 20 and Oct 10.
    fn china_2026() -> String {
        let mut ics = String::from(
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//example//holiday-cn//CN\nCALSCALE:GREGORIAN\nX-WR-CALNAME:中国节假日\n\
             X-WR-TIMEZONE:Asia/Shanghai\n",
        );
        let holiday = |d: u32, name: &str, n: u32, of: u32| {
            format!(
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:2026{d:04}\nDTEND;VALUE=DATE:2026{next:04}\nDTSTAMP:20251104T235904Z\n\
                 UID:2026{d:04}_holiday@example.com\nDESCRIPTION:七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月\n \
                 10日（周六）上班。\nSTATUS:CONFIRMED\nSUMMARY:{name} 假期 第{n}天/共{of}天\nTRANSP:TRANSPARENT\nEND:VEVENT\n",
                next = if d == 930 { 1001 } else { d + 1 }
            )
        };
        for (i, d) in [925, 926, 927].into_iter().enumerate() {
            ics += &holiday(d, "中秋节", u32::try_from(i).unwrap() + 1, 3);
        }
        for (i, d) in (1001..=1007).enumerate() {
            ics += &holiday(d, "国庆节", u32::try_from(i).unwrap() + 1, 7);
        }
        for (i, d) in ["0920", "1010"].into_iter().enumerate() {
            ics += &format!(
                "BEGIN:VEVENT\nDTSTART:2026{d}T090000\nDTEND:2026{d}T180000\nUID:2026{d}_compensateday@example.com\n\
                 STATUS:TENTATIVE\nSUMMARY:国庆节 补班 第{n}天/共2天\nTRANSP:OPAQUE\nBEGIN:VALARM\nTRIGGER:-PT60M\n\
                 ACTION:DISPLAY\nDESCRIPTION:补班提醒\nEND:VALARM\nEND:VEVENT\n",
                n = i + 1
            );
        }
        ics += "END:VCALENDAR\n";
        ics.replace('\n', "\r\n")
    }

    #[test]
    fn chinese_national_day_with_make_up_days() {
        let days = parse_holidays(&china_2026(), &office()).unwrap();
        assert_eq!(
            holiday_dates(&days),
            [
                "2026-09-25",
                "2026-09-26",
                "2026-09-27",
                "2026-10-01",
                "2026-10-02",
                "2026-10-03",
                "2026-10-04",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07"
            ]
        );
        assert_eq!(days.holidays[3].name, "国庆节 假期 第1天/共7天");
        assert!(days.holidays.iter().all(|h| h.closed.is_empty()));
        assert_eq!(
            days.working_days,
            [
                WorkingDaySpec {
                    date: date(2026, 9, 20),
                    name: "国庆节 补班 第1天/共2天".into(),
                    hours: office(),
                },
                WorkingDaySpec {
                    date: date(2026, 10, 10),
                    name: "国庆节 补班 第2天/共2天".into(),
                    hours: office(),
                },
            ]
        );
        assert!(days.skipped.is_empty(), "{:?}", days.skipped);

        // Merged into an office calendar, it behaves like the official arrangement.
        let mut spec = crate::calendar_spec::CalendarSpec::office_hours("Asia/Shanghai");
        let report = spec.merge_holidays(days);
        assert_eq!((report.holidays_added, report.working_days_added), (10, 2));
        let calendar = spec.to_calendar().unwrap();
        let open = |s: &str| calendar.is_open(format!("{s}+08:00[Asia/Shanghai]").parse::<ZonedDateTime>().unwrap().timestamp());
        assert!(open("2026-09-20T10:00")); // Sunday, 补班
        assert!(!open("2026-09-25T10:00")); // Friday, 中秋节
        assert!(!open("2026-10-05T10:00")); // Monday, 国庆节
        assert!(open("2026-10-10T10:00")); // Saturday, 补班
    }

    #[test]
    fn make_up_days_need_hours() {
        let days = parse_holidays(&china_2026(), &[]).unwrap();
        assert!(days.working_days.is_empty());
        assert_eq!(days.skipped.len(), 2);
        assert!(days.skipped[0].contains("2026-09-20 is a make-up working day, but no working hours were given"));
    }

    #[test]
    fn working_day_words() {
        for summary in [
            "补班",
            "上班",
            "调休上班",
            "国庆节 补班 第1天/共2天",
            "Makeup Working Day",
            "WORKDAY",
            "Work Day (make-up)",
        ] {
            assert!(is_working_day(summary), "{summary}");
        }
        for summary in ["国庆节", "春节 假期", "Labour Day", "Tag der Arbeit", "Workers' Day"] {
            assert!(!is_working_day(summary), "{summary}");
        }
    }

    /// A German file: all-day events (one without DTEND, one with DURATION), a yearly rule
    /// with an exception, an unsupported rule, folded lines with escapes, and a timed
    /// half-day in Europe/Berlin.
    const GERMANY: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//Kefu Test//Feiertage Berlin//DE\r\n\
BEGIN:VTIMEZONE\r\n\
TZID:Europe/Berlin\r\n\
BEGIN:STANDARD\r\n\
DTSTART:19701025T030000\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n\
BEGIN:VEVENT\r\n\
UID:neujahr@kefu.test\r\n\
DTSTART;VALUE=DATE:20260101\r\n\
SUMMARY:Neujahr\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:ostern@kefu.test\r\n\
DTSTART;VALUE=DATE:20260403\r\n\
DURATION:P4D\r\n\
SUMMARY:Ostern (Karfreitag bis Ostermontag)\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:einheit@kefu.test\r\n\
DTSTART;VALUE=DATE:20261003\r\n\
DTEND;VALUE=DATE:20261004\r\n\
SUMMARY:Tag der Deutschen \r\n\
\x20Einheit\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:weihnachten@kefu.test\r\n\
DTSTART;VALUE=DATE:20261225\r\n\
DTEND;VALUE=DATE:20261227\r\n\
RRULE:FREQ=YEARLY;UNTIL=20281231\r\n\
EXDATE;VALUE=DATE:20271225\r\n\
SUMMARY:Weihnachten\\, 1. und 2. Feiertag\r\n\
DESCRIPTION:Gesetzliche Feiertage\\nin ganz Deutschland\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:heiligabend@kefu.test\r\n\
DTSTART;TZID=Europe/Berlin:20261224T120000\r\n\
DTEND;TZID=Europe/Berlin:20261225T000000\r\n\
SUMMARY:Heiligabend (nachmittags geschlossen)\r\n\
BEGIN:VALARM\r\n\
TRIGGER:-PT15M\r\n\
ACTION:DISPLAY\r\n\
DESCRIPTION:Reminder\r\n\
END:VALARM\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:muttertag@kefu.test\r\n\
DTSTART;VALUE=DATE:20260510\r\n\
RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=2SU\r\n\
SUMMARY:Muttertag\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn german_file() {
        let days = parse_holidays(GERMANY, &office()).unwrap();
        assert_eq!(
            holiday_dates(&days),
            [
                "2026-01-01",
                "2026-04-03",
                "2026-04-04",
                "2026-04-05",
                "2026-04-06",
                "2026-10-03",
                "2026-12-24",
                "2026-12-25",
                "2026-12-26",
                "2028-12-25",
                "2028-12-26"
            ]
        );
        let by_date = |d: Date| days.holidays.iter().find(|h| h.date == d).unwrap();
        assert_eq!(by_date(date(2026, 10, 3)).name, "Tag der Deutschen Einheit");
        assert_eq!(by_date(date(2026, 12, 25)).name, "Weihnachten, 1. und 2. Feiertag");
        assert_eq!(by_date(date(2026, 12, 24)).closed, [iv("12:00-24:00")]);
        assert_eq!(by_date(date(2026, 12, 24)).name, "Heiligabend (nachmittags geschlossen)");
        assert!(days.working_days.is_empty());
        assert_eq!(days.skipped.len(), 1);
        assert!(
            days.skipped[0].starts_with("\"Muttertag\" (line 50): the rule FREQ=YEARLY;BYMONTH=5;BYDAY=2SU is not supported"),
            "{:?}",
            days.skipped
        );

        // Merged into a Berlin calendar: closed on Christmas Eve afternoon only.
        let mut spec = crate::calendar_spec::CalendarSpec::office_hours("Europe/Berlin");
        spec.merge_holidays(days);
        let calendar = spec.to_calendar().unwrap();
        assert_eq!(calendar.hours_on(date(2026, 12, 24)), [iv("09:00-12:00")]);
        assert!(calendar.hours_on(date(2026, 12, 25)).is_empty());
    }

    #[test]
    fn timed_events_in_the_calendars_zone() {
        // 12:00-24:00 Berlin is 19:00-07:00 the next day in Shanghai: across midnight.
        let options = ImportOptions {
            working_day_hours: &[],
            zone: Some(TimeZone::get("Asia/Shanghai").unwrap()),
            recurrence_from: None,
        };
        let days = parse_holidays_with(GERMANY, &options).unwrap();
        assert!(!days.holidays.iter().any(|h| h.date == date(2026, 12, 24)));
        assert!(
            days.skipped.iter().any(|s| s.contains("Heiligabend")
                && s.contains("from 2026-12-24T19:00:00 to 2026-12-25T07:00:00 (local time), across midnight")),
            "{:?}",
            days.skipped
        );

        // UTC times: read in the given zone, else X-WR-TIMEZONE, else skipped.
        let utc = |header: &str| {
            format!(
                "BEGIN:VCALENDAR\n{header}BEGIN:VEVENT\nDTSTART:20261231T050000Z\nDURATION:PT4H30M\nSUMMARY:Silvester\nEND:VEVENT\nEND:VCALENDAR\n"
            )
        };
        let days = parse_holidays(&utc(""), &[]).unwrap();
        assert!(days.holidays.is_empty());
        assert!(days.skipped[0].contains("time zone is not known"), "{:?}", days.skipped);
        let days = parse_holidays(&utc("X-WR-TIMEZONE:Asia/Shanghai\n"), &[]).unwrap();
        assert_eq!(days.holidays[0].closed, [iv("13:00-17:30")]);
        let options = ImportOptions {
            zone: Some(TimeZone::get("Europe/Berlin").unwrap()),
            ..ImportOptions::default()
        };
        let days = parse_holidays_with(&utc("X-WR-TIMEZONE:Asia/Shanghai\n"), &options).unwrap();
        assert_eq!(days.holidays[0].closed, [iv("06:00-10:30")]);

        // Floating times are taken as written; seconds round outwards; all day is all day.
        let floating = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261231T140030\nDTEND:20261231T180001\nEND:VEVENT\n\
                        BEGIN:VEVENT\nDTSTART:20270101T000000\nDTEND:20270102T000000\nEND:VEVENT\nEND:VCALENDAR";
        let days = parse_holidays_with(floating, &options).unwrap();
        assert_eq!(days.holidays[0].closed, [iv("14:00-18:01")]);
        assert_eq!(days.holidays[1], HolidaySpec::whole_day(date(2027, 1, 1), ""));
    }

    #[test]
    fn same_date_events_combine() {
        let ics = "BEGIN:VCALENDAR\n\
BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20261231T120000\nDTEND;TZID=Europe/Berlin:20261231T140000\nSUMMARY:Silvester\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20261231T133000\nDURATION:PT10H30M\nSUMMARY:Silvester\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20261230T080000\nDURATION:PT1H\nSUMMARY:Inventur\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261230\nSUMMARY:Betriebsruhe\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nSUMMARY:Neujahr\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nSUMMARY:Workday (makeup)\nEND:VEVENT\n\
END:VCALENDAR\n";
        let days = parse_holidays(ics, &office()).unwrap();
        assert_eq!(
            days.holidays,
            [
                HolidaySpec::whole_day(date(2026, 12, 30), "Inventur / Betriebsruhe"),
                HolidaySpec {
                    date: date(2026, 12, 31),
                    name: "Silvester".into(),
                    closed: vec![iv("12:00-24:00")],
                },
                HolidaySpec::whole_day(date(2027, 1, 1), "Neujahr"),
            ]
        );
        assert!(days.working_days.is_empty());
        assert_eq!(
            days.skipped,
            ["\"Workday (makeup)\": 2027-01-01 is both a holiday and a working day in the file; kept as a holiday"]
        );
    }

    #[test]
    fn yearly_rules() {
        let event = |start: &str, rule: &str, extra: &str| {
            format!(
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART;VALUE=DATE:{start}\nRRULE:{rule}\n{extra}SUMMARY:X\nEND:VEVENT\nEND:VCALENDAR\n"
            )
        };
        let dates = |ics: &str, from: Option<Date>| {
            let options = ImportOptions {
                recurrence_from: from,
                ..ImportOptions::default()
            };
            holiday_dates(&parse_holidays_with(ics, &options).unwrap())
        };
        // Open-ended: ten years from the start, or from `recurrence_from`.
        let open_ended = event("20201225", "FREQ=YEARLY", "");
        assert_eq!(dates(&open_ended, None).len(), 10);
        assert_eq!(dates(&open_ended, None).last().unwrap(), "2029-12-25");
        let from_2026 = dates(&open_ended, Some(date(2026, 12, 26)));
        assert_eq!((from_2026.first().unwrap().as_str(), from_2026.len()), ("2027-12-25", 10));
        assert_eq!(dates(&open_ended, Some(date(2000, 1, 1)))[0], "2020-12-25");
        // COUNT counts occurrences, EXDATE removes some of them afterwards.
        assert_eq!(
            dates(
                &event(
                    "20261225",
                    "FREQ=YEARLY;COUNT=3;INTERVAL=2",
                    "EXDATE;VALUE=DATE:20281225,20991225\n"
                ),
                None
            ),
            ["2026-12-25", "2030-12-25"]
        );
        // UNTIL as a date-time; BYMONTH/BYMONTHDAY repeating the start are fine.
        assert_eq!(
            dates(
                &event("20261003", "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3;UNTIL=20281003T000000Z;WKST=MO", ""),
                None
            ),
            ["2026-10-03", "2027-10-03", "2028-10-03"]
        );
        // 29 February: leap years only, and COUNT counts only real occurrences.
        assert_eq!(
            dates(&event("20240229", "FREQ=YEARLY;COUNT=2", ""), None),
            ["2024-02-29", "2028-02-29"]
        );
        // A huge COUNT is cut short, with a note.
        let days = parse_holidays(&event("20000101", "FREQ=YEARLY;COUNT=100000", ""), &[]).unwrap();
        assert_eq!(days.holidays.len(), MAX_OCCURRENCES);
        assert!(days.skipped[0].contains("only its first 200 occurrences"));
        // Other rules are skipped with the rule in the reason.
        for rule in [
            "FREQ=MONTHLY",
            "FREQ=YEARLY;BYDAY=4TH;BYMONTH=11",
            "FREQ=YEARLY;BYMONTH=6",
            "INTERVAL=2",
        ] {
            let days = parse_holidays(&event("20261126", rule, ""), &[]).unwrap();
            assert!(days.holidays.is_empty(), "{rule}");
            assert!(days.skipped[0].contains(rule), "{:?}", days.skipped);
        }
        // A moved occurrence (RECURRENCE-ID) replaces the rule's one.
        let moved = event(
            "20261231",
            "FREQ=YEARLY;COUNT=3",
            "END:VEVENT\nBEGIN:VEVENT\nUID:x\nRECURRENCE-ID;VALUE=DATE:20271231\nDTSTART;VALUE=DATE:20271230\n",
        );
        assert_eq!(dates(&moved, None), ["2026-12-31", "2027-12-30", "2028-12-31"]);
    }

    #[test]
    fn folding_escapes_and_line_ends() {
        // LF only, a tab continuation, escaped separators, a quoted parameter with ':'.
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026\n\t0501\nSUMMARY;LANGUAGE=\"de:DE\":Tag der\\; \n Arbeit \\\\ 1.\\nMai\nEND:VEVENT\nEND:VCALENDAR";
        let days = parse_holidays(ics, &[]).unwrap();
        assert_eq!(
            days.holidays,
            [HolidaySpec::whole_day(date(2026, 5, 1), "Tag der; Arbeit \\ 1. Mai")]
        );
        // A byte order mark and blank lines are fine; cancelled events are skipped.
        let ics = "\u{feff}BEGIN:VCALENDAR\r\n\r\nBEGIN:VEVENT\r\nDTSTART:20260501\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let days = parse_holidays(ics, &[]).unwrap();
        assert!(days.holidays.is_empty());
        assert_eq!(days.skipped, ["event at line 3: cancelled"]);
    }

    #[test]
    fn bad_files_name_the_line() {
        let one = |ics: &str| {
            let mut all = errors(parse_holidays(ics, &[]));
            assert_eq!(all.len(), 1, "{all:?}");
            let (field, code, message) = all.remove(0);
            assert_eq!(field, "ics");
            (code, message)
        };
        assert_eq!(
            one("<!DOCTYPE html>\n<html>"),
            (
                "not_icalendar",
                "line 1: expected BEGIN:VCALENDAR; this does not look like an iCalendar (.ics) file".into()
            )
        );
        assert_eq!(one("").0, "not_icalendar");
        assert_eq!(
            one("BEGIN:VCALENDAR\nEND:VCALENDAR\nhello").1,
            "line 3: text after END:VCALENDAR; this does not look like an iCalendar (.ics) file"
        );
        assert_eq!(
            one("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260101\nEND:VCALENDAR\n"),
            (
                "unbalanced_component",
                "line 4: END:VCALENDAR while VEVENT (opened at line 2) is still open".into()
            )
        );
        assert_eq!(
            one("BEGIN:VCALENDAR\nBEGIN:VEVENT\n").1,
            "line 2: VEVENT is never closed (END:VEVENT missing); is the file cut short?"
        );
        assert_eq!(one("BEGIN:VCALENDAR\nno colon here\nEND:VCALENDAR").0, "invalid_line");
        assert_eq!(
            one("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261301\nEND:VEVENT\nEND:VCALENDAR"),
            (
                "invalid_date",
                "line 3: DTSTART \"20261301\" is not a date (expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ)".into()
            )
        );
        assert_eq!(
            one("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224\nDURATION:three days\nEND:VEVENT\nEND:VCALENDAR").0,
            "invalid_duration"
        );
        // Every bad event is reported, not just the first.
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-10-01\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20261002\nDTEND:20261003T25\nEND:VEVENT\nEND:VCALENDAR";
        let all = errors(parse_holidays(ics, &[]));
        assert_eq!(
            all.iter().map(|e| e.2.split(':').next().unwrap()).collect::<Vec<_>>(),
            ["line 3", "line 7"]
        );
    }

    #[test]
    fn events_that_are_skipped() {
        let ics = "BEGIN:VCALENDAR\n\
BEGIN:VEVENT\nSUMMARY:No date\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;TZID=W. Europe Standard Time:20261224T120000\nDTEND;TZID=W. Europe Standard Time:20261224T180000\nSUMMARY:Outlook\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART:20261224T120000\nSUMMARY:No end\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART:20260701\nDTEND:20270901\nSUMMARY:Semester\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART:20260701\nDURATION:PT12H\nSUMMARY:Half\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART:20261224T180000\nDTEND:20261224T120000\nSUMMARY:Backwards\nEND:VEVENT\n\
BEGIN:VTODO\nDTSTART:20260101\nSUMMARY:Not an event\nEND:VTODO\n\
END:VCALENDAR\n";
        let days = parse_holidays(ics, &[]).unwrap();
        assert!(days.holidays.is_empty());
        assert_eq!(
            days.skipped,
            [
                "\"No date\" (line 2): no start date (DTSTART)",
                "\"Outlook\" (line 5): unknown time zone \"W. Europe Standard Time\" (an IANA name such as Europe/Berlin is needed)",
                "\"No end\" (line 10): it has a start time but no end (DTEND or DURATION)",
                "\"Semester\" (line 14): it lasts 427 days; events longer than a year are not holidays",
                "\"Half\" (line 19): an all-day event needs a duration of whole days, not PT12H",
                "\"Backwards\" (line 24): it ends before it starts",
            ]
        );
    }

    /// Mostly well-formed values (so that events get past parsing), sometimes garbage.
    fn moment() -> impl Strategy<Value = String> {
        let date = "20(2[0-9]|99)(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-9]|3[01])";
        prop_oneof![
            6 => date.prop_map(|d| format!(";VALUE=DATE:{d}")),
            3 => (date, "(0[0-9]|1[0-9]|2[0-3])[0-5][0-9][0-5][0-9]", prop_oneof![Just(""), Just("Z")])
                .prop_map(|(d, t, z)| format!(":{d}T{t}{z}")),
            3 => (date, "(0[0-9]|1[0-9]|2[0-3])[0-5][0-9]00", prop_oneof![Just("Europe/Berlin"), Just("Asia/Shanghai"), Just("/Foo"), Just("\"x:y\"")])
                .prop_map(|(d, t, z)| format!(";TZID={z}:{d}T{t}")),
            1 => "[;:][ -~]{0,12}",
        ]
    }

    fn content_line() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            4 => moment().prop_map(|m| format!("DTSTART{m}")),
            3 => moment().prop_map(|m| format!("DTEND{m}")),
            2 => "(\\+|-)?P([0-9]{1,3}[WD])?(T[0-9]{1,2}[HMS])?".prop_map(|d| format!("DURATION:{d}")),
            3 => "FREQ=(YEARLY|YEARLY|DAILY)(;(COUNT|INTERVAL|BYMONTH|BYMONTHDAY)=[0-9]{1,3}|;UNTIL=20[2-4][0-9]0[1-9]1[0-9]|;BYDAY=MO){0,3}"
                .prop_map(|r| format!("RRULE:{r}")),
            1 => moment().prop_map(|m| format!("EXDATE{m}")),
            1 => moment().prop_map(|m| format!("RECURRENCE-ID{m}")),
            1 => "UID:[a-b]",
            2 => "SUMMARY:[ -~补班]{0,20}",
            1 => "STATUS:(CANCELLED|CONFIRMED)",
            1 => "(BEGIN|END):(VALARM|VEVENT)",
            1 => "[ -~]{0,30}",
        ];
        (line, any::<bool>()).prop_map(|(line, fold)| {
            if fold && line.len() > 4 && line.is_char_boundary(4) {
                format!("{}\r\n {}", &line[..4], &line[4..])
            } else {
                line
            }
        })
    }

    fn event() -> impl Strategy<Value = String> {
        (moment(), proptest::collection::vec(content_line(), 0..6))
            .prop_map(|(start, lines)| format!("BEGIN:VEVENT\r\nDTSTART{start}\r\n{}\r\nEND:VEVENT\r\n", lines.join("\r\n")))
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse_holidays(&text, &[]);
        }

        #[test]
        fn arbitrary_calendars_never_panic(events in proptest::collection::vec(event(), 0..4), zone in any::<bool>()) {
            let ics = format!("BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Asia/Shanghai\r\n{}END:VCALENDAR\r\n", events.concat());
            let options = ImportOptions {
                working_day_hours: &[DayInterval::WHOLE_DAY],
                zone: zone.then(|| TimeZone::get("America/New_York").unwrap()),
                recurrence_from: Some(date(2026, 1, 1)),
            };
            if let Ok(days) = parse_holidays_with(&ics, &options) {
                // Whatever comes out is one entry per date, sorted, and builds.
                prop_assert!(days.holidays.windows(2).all(|w| w[0].date < w[1].date));
                prop_assert!(days.working_days.windows(2).all(|w| w[0].date < w[1].date));
                let mut spec = crate::calendar_spec::CalendarSpec::twenty_four_seven("UTC");
                spec.merge_holidays(days);
                prop_assert!(spec.to_calendar().is_ok());
            }
        }
    }
}
