//! Calendars as data: the JSON form of a [`BusinessCalendar`] that the REST API accepts and
//! the database stores, with the holiday names that the calendar itself has no use for.
//!
//! The spec is the source of truth; a [`BusinessCalendar`] is derived from it with
//! [`CalendarSpec::to_calendar`] whenever one is needed. The way back is deliberately
//! missing: a calendar has lost the names and the order of entries that people edited.
//!
//! ```
//! use kefu_domain::calendar_spec::CalendarSpec;
//!
//! let json = r#"{
//!     "zone": "Asia/Shanghai",
//!     "weekly": { "monday": ["09:00-12:00", "13:30-18:00"], "friday": ["09:00-17:00"] },
//!     "holidays": [
//!         { "date": "2026-10-01", "name": "国庆节" },
//!         { "date": "2026-09-30", "name": "国庆节前夕", "closed": ["14:00-24:00"] }
//!     ],
//!     "working_days": [{ "date": "2026-09-20", "name": "国庆节 补班", "hours": ["09:00-18:00"] }]
//! }"#;
//! let spec: CalendarSpec = serde_json::from_str(json).unwrap();
//! assert!(spec.weekly.tuesday.is_empty()); // a missing day is closed
//! let calendar = spec.to_calendar().unwrap();
//! assert_eq!(calendar.holidays().len(), 2);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::calendar::{BusinessCalendar, DayInterval, parse_zone};
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::ics::ImportedDays;

/// A business calendar as people edit it: zone, weekly hours, named holidays and named
/// extra working days (调休). Not validated; [`CalendarSpec::to_calendar`] says what is wrong.
///
/// Unknown fields are accepted at this level (so that the spec can be embedded or grow new
/// fields without breaking stored rows), but refused inside its parts, where a typo such as
/// `"mondy"` or `"close"` would otherwise silently change opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSpec {
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    #[cfg_attr(feature = "openapi", schema(example = "Asia/Shanghai"))]
    pub zone: String,
    #[serde(default)]
    pub weekly: WeeklyHours,
    /// Holidays, one entry per date.
    #[serde(default)]
    pub holidays: Vec<HolidaySpec>,
    /// Extra working days (mainland China's 调休 / 补班), one entry per date.
    #[serde(default)]
    pub working_days: Vec<WorkingDaySpec>,
}

/// Opening hours per weekday as `HH:MM-HH:MM` intervals, sorted and disjoint. A day that is
/// missing or empty is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklyHours {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["09:00-12:00", "13:30-18:00"])))]
    pub monday: Vec<DayInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub tuesday: Vec<DayInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub wednesday: Vec<DayInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub thursday: Vec<DayInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub friday: Vec<DayInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub saturday: Vec<DayInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub sunday: Vec<DayInterval>,
}

impl WeeklyHours {
    /// The same hours every day of the week.
    pub fn every_day(hours: &[DayInterval]) -> Self {
        let mut weekly = WeeklyHours::default();
        for day in ALL_WEEKDAYS {
            *weekly.get_mut(day) = hours.to_vec();
        }
        weekly
    }

    /// The hours of one weekday.
    pub fn get(&self, day: Weekday) -> &[DayInterval] {
        match day {
            Weekday::Monday => &self.monday,
            Weekday::Tuesday => &self.tuesday,
            Weekday::Wednesday => &self.wednesday,
            Weekday::Thursday => &self.thursday,
            Weekday::Friday => &self.friday,
            Weekday::Saturday => &self.saturday,
            Weekday::Sunday => &self.sunday,
        }
    }

    /// The hours of one weekday, to change them.
    pub fn get_mut(&mut self, day: Weekday) -> &mut Vec<DayInterval> {
        match day {
            Weekday::Monday => &mut self.monday,
            Weekday::Tuesday => &mut self.tuesday,
            Weekday::Wednesday => &mut self.wednesday,
            Weekday::Thursday => &mut self.thursday,
            Weekday::Friday => &mut self.friday,
            Weekday::Saturday => &mut self.saturday,
            Weekday::Sunday => &mut self.sunday,
        }
    }
}

const ALL_WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// A holiday: closed all day when `closed` is empty, else only during those intervals (e.g.
/// `["12:00-24:00"]` for the afternoon of Christmas Eve).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolidaySpec {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date, example = "2026-10-01"))]
    pub date: Date,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "国庆节"))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!([])))]
    pub closed: Vec<DayInterval>,
}

impl HolidaySpec {
    /// A holiday closed all day.
    pub fn whole_day(date: Date, name: impl Into<String>) -> Self {
        HolidaySpec {
            date,
            name: name.into(),
            closed: Vec::new(),
        }
    }
}

/// An extra working day (调休 / 补班): on `date` the calendar is open during `hours` instead
/// of the weekday's usual hours. `hours` must not be empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingDaySpec {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date, example = "2026-09-20"))]
    pub date: Date,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "国庆节 补班"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["09:00-12:00", "13:30-18:00"])))]
    pub hours: Vec<DayInterval>,
}

/// What [`CalendarSpec::merge_holidays`] did, for the admin who imported a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeReport {
    /// Holidays on dates the spec had no entry for.
    pub holidays_added: usize,
    /// Holidays that replaced an existing entry (holiday or working day) on their date.
    pub holidays_replaced: usize,
    /// Working days on dates the spec had no entry for.
    pub working_days_added: usize,
    /// Working days that replaced an existing entry (holiday or working day) on their date.
    pub working_days_replaced: usize,
    /// Why some events of the imported file were ignored, passed on from [`ImportedDays`].
    pub skipped: Vec<String>,
}

impl CalendarSpec {
    /// Open all the time (24x7) with no holidays: the default for a new department, so that
    /// SLA clocks count elapsed time until someone sets real hours.
    pub fn twenty_four_seven(zone: impl Into<String>) -> Self {
        CalendarSpec {
            zone: zone.into(),
            weekly: WeeklyHours::every_day(&[DayInterval::WHOLE_DAY]),
            holidays: Vec::new(),
            working_days: Vec::new(),
        }
    }

    /// Monday to Friday, 09:00-12:00 and 13:30-18:00 (the lunch break common in China), no
    /// holidays: a starting point for an office team.
    pub fn office_hours(zone: impl Into<String>) -> Self {
        let hours = office_day();
        CalendarSpec {
            zone: zone.into(),
            weekly: WeeklyHours {
                monday: hours.clone(),
                tuesday: hours.clone(),
                wednesday: hours.clone(),
                thursday: hours.clone(),
                friday: hours,
                ..WeeklyHours::default()
            },
            holidays: Vec::new(),
            working_days: Vec::new(),
        }
    }

    /// Validates the spec and builds the calendar. Every problem is reported at once, under
    /// the spec's own field names so that a form can show it next to the input:
    ///
    /// * `zone` (`unknown_time_zone`);
    /// * `weekly.monday` … `weekly.sunday` (`intervals_unsorted`, `intervals_overlap`);
    /// * `holidays[3].date`, `working_days[0].date` (`duplicate_date`: one entry per date);
    /// * `holidays[3].closed`, `working_days[0].hours` (`intervals_unsorted`,
    ///   `intervals_overlap`, and `intervals_empty` for working days);
    /// * `working_days[0].date` (`holiday_conflict`: the date is also a whole-day holiday).
    ///
    /// ```
    /// use kefu_domain::{DomainError, calendar_spec::CalendarSpec};
    ///
    /// let mut spec = CalendarSpec::office_hours("Mars/Olympus_Mons");
    /// spec.weekly.saturday = vec!["10:00-14:00".parse().unwrap(), "13:00-15:00".parse().unwrap()];
    /// let Err(DomainError::Invalid(errors)) = spec.to_calendar() else { panic!() };
    /// let fields: Vec<_> = errors.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
    /// assert_eq!(fields, [("zone", "unknown_time_zone"), ("weekly.saturday", "intervals_overlap")]);
    /// ```
    pub fn to_calendar(&self) -> Result<BusinessCalendar, DomainError> {
        let mut errors = FieldErrors::default();
        // An unknown zone must not hide the other problems: validate the rest in UTC.
        let zone = errors.take(parse_zone(&self.zone));
        let holiday_index = first_index_by_date(self.holidays.iter().map(|h| h.date), "holidays", &mut errors);
        let working_index = first_index_by_date(self.working_days.iter().map(|w| w.date), "working_days", &mut errors);

        let mut builder = BusinessCalendar::builder(zone.unwrap_or(TimeZone::UTC));
        for day in ALL_WEEKDAYS {
            builder = builder.weekday(day, self.weekly.get(day).iter().copied());
        }
        for holiday in &self.holidays {
            builder = if holiday.closed.is_empty() {
                builder.holiday(holiday.date)
            } else {
                builder.partial_holiday(holiday.date, holiday.closed.iter().copied())
            };
        }
        for day in &self.working_days {
            builder = builder.extra_working_day(day.date, day.hours.iter().copied());
        }
        match builder.build() {
            Ok(calendar) => {
                // An unknown zone or a duplicate date leaves an error behind, and the calendar
                // (built in UTC, or with the last of the duplicates) is dropped.
                errors.into_result()?;
                Ok(calendar)
            }
            Err(DomainError::Invalid(built)) => {
                for error in built.0 {
                    errors.push(rename_field(error, &holiday_index, &working_index));
                }
                errors.into_result()?;
                unreachable_invalid()
            }
            Err(other) => Err(other),
        }
    }

    /// Adds imported holidays and working days. The import is the authority for the dates it
    /// mentions: an existing entry on such a date (holiday or working day) is replaced, so
    /// that importing next year's official file over a hand-made draft leaves no stale 调休
    /// day behind. Dates the import does not mention are kept. Both lists end sorted by date.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use kefu_domain::calendar_spec::{CalendarSpec, HolidaySpec};
    /// use kefu_domain::ics::ImportedDays;
    ///
    /// let mut spec = CalendarSpec::office_hours("Europe/Berlin");
    /// spec.holidays.push(HolidaySpec::whole_day(date(2026, 12, 25), "Xmas (draft)"));
    /// let imported = ImportedDays {
    ///     holidays: vec![
    ///         HolidaySpec::whole_day(date(2026, 12, 25), "1. Weihnachtstag"),
    ///         HolidaySpec::whole_day(date(2026, 12, 26), "2. Weihnachtstag"),
    ///     ],
    ///     ..ImportedDays::default()
    /// };
    /// let report = spec.merge_holidays(imported);
    /// assert_eq!((report.holidays_added, report.holidays_replaced), (1, 1));
    /// assert_eq!(spec.holidays[0].name, "1. Weihnachtstag");
    /// ```
    pub fn merge_holidays(&mut self, imported: ImportedDays) -> MergeReport {
        let existing: BTreeSet<Date> = self
            .holidays
            .iter()
            .map(|h| h.date)
            .chain(self.working_days.iter().map(|w| w.date))
            .collect();
        let mentioned: BTreeSet<Date> = imported
            .holidays
            .iter()
            .map(|h| h.date)
            .chain(imported.working_days.iter().map(|w| w.date))
            .collect();
        self.holidays.retain(|h| !mentioned.contains(&h.date));
        self.working_days.retain(|w| !mentioned.contains(&w.date));

        let mut report = MergeReport {
            skipped: imported.skipped,
            ..MergeReport::default()
        };
        // Within the import a later entry replaces an earlier one on the same date.
        let holidays: BTreeMap<Date, HolidaySpec> = imported.holidays.into_iter().map(|h| (h.date, h)).collect();
        let working_days: BTreeMap<Date, WorkingDaySpec> = imported.working_days.into_iter().map(|w| (w.date, w)).collect();
        for (date, holiday) in holidays {
            if existing.contains(&date) {
                report.holidays_replaced += 1;
            } else {
                report.holidays_added += 1;
            }
            self.holidays.push(holiday);
        }
        for (date, day) in working_days {
            if existing.contains(&date) {
                report.working_days_replaced += 1;
            } else {
                report.working_days_added += 1;
            }
            self.working_days.push(day);
        }
        self.holidays.sort_by_key(|h| h.date);
        self.working_days.sort_by_key(|w| w.date);
        report
    }
}

/// 09:00-12:00 and 13:30-18:00.
fn office_day() -> Vec<DayInterval> {
    vec![
        DayInterval::from_minutes(9 * 60, 12 * 60).unwrap_or(DayInterval::WHOLE_DAY),
        DayInterval::from_minutes(13 * 60 + 30, 18 * 60).unwrap_or(DayInterval::WHOLE_DAY),
    ]
}

/// The index of the first entry of each date; later entries on a taken date are reported as
/// `duplicate_date`.
fn first_index_by_date(dates: impl Iterator<Item = Date>, list: &str, errors: &mut FieldErrors) -> BTreeMap<Date, usize> {
    let mut first = BTreeMap::new();
    for (index, date) in dates.enumerate() {
        if let Some(&earlier) = first.get(&date) {
            errors.push(FieldError::new(
                format!("{list}[{index}].date"),
                "duplicate_date",
                format!("{date} is already listed as {list}[{earlier}]"),
            ));
        } else {
            first.insert(date, index);
        }
    }
    first
}

/// Moves an error of [`BusinessCalendarBuilder::build`](crate::calendar::BusinessCalendarBuilder::build),
/// which names entries by date (`holidays.2026-10-01`), to the spec's field of that entry
/// (`holidays[4].closed`). Unknown field names are kept as they are.
fn rename_field(mut error: FieldError, holidays: &BTreeMap<Date, usize>, working_days: &BTreeMap<Date, usize>) -> FieldError {
    let renamed = if let Some(date) = error.field.strip_prefix("holidays.") {
        date.parse::<Date>()
            .ok()
            .and_then(|d| holidays.get(&d))
            .map(|i| format!("holidays[{i}].closed"))
    } else if let Some(date) = error.field.strip_prefix("extra_working_days.") {
        let leaf = if error.code == "holiday_conflict" { "date" } else { "hours" };
        date.parse::<Date>()
            .ok()
            .and_then(|d| working_days.get(&d))
            .map(|i| format!("working_days[{i}].{leaf}"))
    } else {
        None
    };
    if let Some(field) = renamed {
        error.field = field;
    }
    error
}

/// `build` refused the calendar but reported no field: cannot happen, but is not worth a panic.
fn unreachable_invalid() -> Result<BusinessCalendar, DomainError> {
    Err(DomainError::field("calendar", "invalid_calendar", "the calendar is invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use jiff::civil::date;

    fn iv(s: &str) -> DayInterval {
        s.parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<jiff::ZonedDateTime>().unwrap().timestamp()
    }

    fn fields(result: Result<BusinessCalendar, DomainError>) -> Vec<(String, &'static str)> {
        match result {
            Err(DomainError::Invalid(errors)) => errors.0.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    /// 2026 per the State Council notice (国办发明电〔2025〕7号): 中秋节 Sep 25-27, 国庆节
    /// Oct 1-7, worked on Sunday Sep 20 and Saturday Oct 10; the afternoon before the break
    /// off as a company perk.
    fn china_2026() -> CalendarSpec {
        let mut spec = CalendarSpec::office_hours("Asia/Shanghai");
        spec.holidays.push(HolidaySpec {
            date: date(2026, 9, 30),
            name: "国庆节前夕".into(),
            closed: vec![iv("13:30-24:00")],
        });
        for day in 1..=7 {
            spec.holidays
                .push(HolidaySpec::whole_day(date(2026, 10, day), format!("国庆节 第{day}天")));
        }
        for d in [date(2026, 9, 20), date(2026, 10, 10)] {
            spec.working_days.push(WorkingDaySpec {
                date: d,
                name: "国庆节 补班".into(),
                hours: office_day(),
            });
        }
        spec
    }

    #[test]
    fn json_round_trip() {
        let spec = china_2026();
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(json["weekly"]["monday"], serde_json::json!(["09:00-12:00", "13:30-18:00"]));
        assert_eq!(json["weekly"]["sunday"], serde_json::json!([]));
        assert_eq!(
            json["holidays"][0],
            serde_json::json!({"date": "2026-09-30", "name": "国庆节前夕", "closed": ["13:30-24:00"]})
        );
        assert_eq!(json["working_days"][1]["date"], "2026-10-10");
        let back: CalendarSpec = serde_json::from_value(json).unwrap();
        assert_eq!(back, spec);

        let text = serde_json::to_string(&CalendarSpec::twenty_four_seven("UTC")).unwrap();
        assert_eq!(
            serde_json::from_str::<CalendarSpec>(&text).unwrap(),
            CalendarSpec::twenty_four_seven("UTC")
        );
    }

    #[test]
    fn json_defaults_and_typos() {
        let spec: CalendarSpec = serde_json::from_str(r#"{"zone": "UTC"}"#).unwrap();
        assert_eq!(spec.weekly, WeeklyHours::default());
        assert!(spec.holidays.is_empty() && spec.working_days.is_empty());

        let spec: CalendarSpec =
            serde_json::from_str(r#"{"zone": "UTC", "weekly": {"friday": ["09:00-17:00"]}, "holidays": [{"date": "2026-05-01"}]}"#)
                .unwrap();
        assert_eq!(spec.holidays, [HolidaySpec::whole_day(date(2026, 5, 1), "")]);
        assert_eq!(spec.weekly.get(Weekday::Friday), [iv("09:00-17:00")]);

        // A misspelt day or field would silently change the hours: refused.
        assert!(serde_json::from_str::<CalendarSpec>(r#"{"zone": "UTC", "weekly": {"mondy": ["09:00-17:00"]}}"#).is_err());
        assert!(serde_json::from_str::<CalendarSpec>(r#"{"zone": "UTC", "holidays": [{"date": "2026-05-01", "close": []}]}"#).is_err());
        assert!(serde_json::from_str::<CalendarSpec>(r#"{"zone": "UTC", "weekly": {"monday": ["9-17"]}}"#).is_err());
        assert!(serde_json::from_str::<CalendarSpec>(r#"{"zone": "UTC", "holidays": [{"date": "2026-02-30"}]}"#).is_err());
    }

    #[test]
    fn china_national_day_2026() {
        let c = china_2026().to_calendar().unwrap();
        let open = |s: &str| c.is_open(at(&format!("{s}+08:00[Asia/Shanghai]")));
        assert!(open("2026-09-18T10:00")); // an ordinary Friday
        assert!(!open("2026-09-19T10:00")); // an ordinary Saturday
        assert!(open("2026-09-20T10:00")); // 补班 Sunday
        assert!(!open("2026-09-20T12:30")); // ... with the usual lunch break
        assert!(open("2026-09-30T11:00")); // the morning before the break
        assert!(!open("2026-09-30T14:00")); // afternoon off
        for day in 1..=7 {
            assert!(!open(&format!("2026-10-{day:02}T10:00")), "open on 10-{day:02}");
        }
        assert!(open("2026-10-08T09:00"));
        assert!(open("2026-10-10T17:59")); // 补班 Saturday
        assert!(!open("2026-10-11T10:00"));
        assert_eq!(
            c.add_business_minutes(at("2026-09-30T11:00+08:00[Asia/Shanghai]"), 61),
            at("2026-10-08T09:01+08:00[Asia/Shanghai]")
        );
    }

    #[test]
    fn seeds_are_valid() {
        let c = CalendarSpec::twenty_four_seven("Europe/Berlin").to_calendar().unwrap();
        assert_eq!(c.weekly_hours(Weekday::Sunday), [DayInterval::WHOLE_DAY]);
        let c = CalendarSpec::office_hours("Asia/Shanghai").to_calendar().unwrap();
        assert_eq!(c.weekly_hours(Weekday::Friday), [iv("09:00-12:00"), iv("13:30-18:00")]);
        assert!(c.weekly_hours(Weekday::Saturday).is_empty());
        // 7.5 hours a day, five days a week.
        assert_eq!(
            c.business_minutes_between(
                at("2026-09-14T00:00+08:00[Asia/Shanghai]"),
                at("2026-09-21T00:00+08:00[Asia/Shanghai]")
            ),
            5 * 450
        );
    }

    #[test]
    fn every_error_under_its_spec_field() {
        let mut spec = china_2026();
        spec.zone = "Asia/Peking".into();
        spec.weekly.monday = vec![iv("13:30-18:00"), iv("09:00-12:00")];
        // holidays[8]: a second entry for 10-01.
        spec.holidays.push(HolidaySpec::whole_day(date(2026, 10, 1), "again"));
        // holidays[0] (09-30): overlapping closed intervals.
        spec.holidays[0].closed = vec![iv("13:00-15:00"), iv("14:00-16:00")];
        // working_days[2]: no hours, working_days[3]: on a whole-day holiday.
        spec.working_days.push(WorkingDaySpec {
            date: date(2026, 10, 11),
            name: String::new(),
            hours: Vec::new(),
        });
        spec.working_days.push(WorkingDaySpec {
            date: date(2026, 10, 2),
            name: String::new(),
            hours: office_day(),
        });
        spec.working_days.push(WorkingDaySpec {
            date: date(2026, 10, 10),
            name: String::new(),
            hours: office_day(),
        });
        let mut got = fields(spec.to_calendar());
        got.sort();
        let mut want = vec![
            ("zone".to_string(), "unknown_time_zone"),
            ("holidays[8].date".to_string(), "duplicate_date"),
            ("working_days[4].date".to_string(), "duplicate_date"),
            ("weekly.monday".to_string(), "intervals_unsorted"),
            ("holidays[0].closed".to_string(), "intervals_overlap"),
            ("working_days[2].hours".to_string(), "intervals_empty"),
            ("working_days[3].date".to_string(), "holiday_conflict"),
        ];
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn partial_holiday_on_a_working_day_is_fine() {
        let mut spec = china_2026();
        spec.holidays.push(HolidaySpec {
            date: date(2026, 10, 10),
            name: "team event".into(),
            closed: vec![iv("15:00-24:00")],
        });
        let c = spec.to_calendar().unwrap();
        assert_eq!(c.hours_on(date(2026, 10, 10)), [iv("09:00-12:00"), iv("13:30-15:00")]);
    }

    #[test]
    fn merge_replaces_by_date_and_sorts() {
        let mut spec = china_2026();
        // A hand-made draft: 10-10 as a holiday, 10-08 as a working day (both wrong).
        spec.working_days.retain(|w| w.date != date(2026, 10, 10));
        spec.holidays.push(HolidaySpec::whole_day(date(2026, 10, 10), "draft"));
        spec.working_days.push(WorkingDaySpec {
            date: date(2026, 10, 8),
            name: "draft".into(),
            hours: office_day(),
        });
        let imported = ImportedDays {
            holidays: vec![
                HolidaySpec::whole_day(date(2026, 10, 8), "official"),
                HolidaySpec::whole_day(date(2026, 9, 25), "中秋节"),
                HolidaySpec::whole_day(date(2026, 10, 1), "国庆节"),
            ],
            working_days: vec![WorkingDaySpec {
                date: date(2026, 10, 10),
                name: "国庆节 补班".into(),
                hours: office_day(),
            }],
            skipped: vec!["something".into()],
        };
        let report = spec.merge_holidays(imported);
        assert_eq!(
            report,
            MergeReport {
                holidays_added: 1,
                holidays_replaced: 2,
                working_days_added: 0,
                working_days_replaced: 1,
                skipped: vec!["something".into()],
            }
        );
        let dates: Vec<Date> = spec.holidays.iter().map(|h| h.date).collect();
        assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
        assert_eq!(spec.holidays.iter().find(|h| h.date == date(2026, 10, 1)).unwrap().name, "国庆节");
        assert_eq!(
            spec.working_days.iter().map(|w| (w.date, w.name.as_str())).collect::<Vec<_>>(),
            [(date(2026, 9, 20), "国庆节 补班"), (date(2026, 10, 10), "国庆节 补班")]
        );
        let c = spec.to_calendar().unwrap();
        assert!(c.holidays().contains_key(&date(2026, 10, 8)));
        assert!(c.extra_working_days().contains_key(&date(2026, 10, 10)));
    }
}
