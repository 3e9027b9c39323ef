//! Business calendars: when a service department is open, in its own time zone.
//!
//! A [`BusinessCalendar`] has an IANA time zone, weekly opening hours (several intervals a
//! day, e.g. 09:00-12:00 and 13:30-18:00, or 00:00-24:00 for 24x7), holidays (whole days or
//! partial days) and extra working days (mainland China's 调休: a Saturday that is worked to
//! make up for a public holiday). It answers four questions about instants
//! ([`jiff::Timestamp`]): is it open now, when does it next open, what instant lies N business
//! minutes after a start, and how many business minutes lie between two instants.
//!
//! # How a day's opening hours are found
//!
//! Everything is computed day by day in the calendar's zone:
//!
//! 1. the base hours of a civil date are its extra-working-day hours if it is one, else the
//!    weekly hours of its weekday;
//! 2. a holiday then closes the whole day, or (partial holiday) the given intervals of it;
//! 3. each remaining civil interval is turned into instants through the zone.
//!
//! # Daylight saving time
//!
//! Civil times that do not exist or exist twice are resolved like this (chosen so that the
//! civil-to-instant map is monotonic, hence a day's intervals stay sorted and disjoint):
//!
//! * a civil time skipped by a spring-forward gap is taken as **the instant the clocks jump**
//!   (Berlin, 2026-03-29: 02:30 does not exist and is taken as 03:00 CEST = 01:00 UTC); an
//!   interval lying entirely inside a gap is therefore empty;
//! * a civil time repeated by a fall-back fold is taken at its **first** occurrence (jiff's
//!   `earlier`; Berlin, 2026-10-25: 02:30 is 02:30 CEST = 00:30 UTC).
//!
//! So on Berlin's spring-forward day an interval 01:00-04:00 is open 2 real hours, and on its
//! fall-back day 3 civil hours 01:00-04:00 are open 4 real hours: business time is elapsed
//! real time.
//!
//! # Business minutes
//!
//! Interval bounds are whole civil minutes. [`BusinessCalendar::business_minutes_between`]
//! first truncates both instants to the whole minute (UTC) and then counts open time, so
//! that counts add up exactly (`between(a, b) + between(b, c) == between(a, c)`) in every zone
//! whose UTC offsets are whole minutes (all zones since 1972).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};

use crate::error::{DomainError, FieldError, FieldErrors};

const MINUTES_PER_DAY: u16 = 24 * 60;
const NANOS_PER_MINUTE: i128 = 60_000_000_000;
const NANOS_PER_MILLI: i128 = 1_000_000;
/// Consecutive days without any open time after which a scan gives up (about 3 years).
const MAX_CLOSED_DAYS: u32 = 3 * 366;

const WEEKDAY_NAMES: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// A part of a civil day, `[start, end)`, in whole minutes; `end` may be 24:00 (the end of
/// the day). Never empty: `start < end`.
///
/// ```
/// use kefu_domain::calendar::DayInterval;
///
/// let morning: DayInterval = "09:00-12:00".parse().unwrap();
/// assert_eq!(morning.minutes(), 180);
/// let late: DayInterval = "18:00-24:00".parse().unwrap();
/// assert_eq!(late.to_string(), "18:00-24:00");
/// assert!("12:00-09:00".parse::<DayInterval>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayInterval {
    start: u16,
    end: u16,
}

impl DayInterval {
    /// The whole day, 00:00-24:00.
    pub const WHOLE_DAY: DayInterval = DayInterval {
        start: 0,
        end: MINUTES_PER_DAY,
    };

    /// An interval from two civil times in whole minutes (seconds must be zero).
    /// For an interval that ends at midnight, use [`DayInterval::until_midnight`].
    pub fn new(start: Time, end: Time) -> Result<Self, FieldError> {
        let start = whole_minute(start)?;
        let end = whole_minute(end)?;
        Self::from_minutes(start, end)
    }

    /// An interval from `start` to the end of the day (24:00).
    pub fn until_midnight(start: Time) -> Result<Self, FieldError> {
        Self::from_minutes(whole_minute(start)?, MINUTES_PER_DAY)
    }

    /// An interval from minutes since midnight: `start < end <= 1440`.
    pub fn from_minutes(start: u16, end: u16) -> Result<Self, FieldError> {
        if end > MINUTES_PER_DAY {
            return Err(FieldError::new(
                "interval",
                "interval_out_of_day",
                "an interval ends at 24:00 at the latest",
            ));
        }
        if start >= end {
            return Err(FieldError::new(
                "interval",
                "interval_empty",
                "an interval must end after it starts",
            ));
        }
        Ok(DayInterval { start, end })
    }

    /// Minutes since midnight at which the interval starts.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// Minutes since midnight at which the interval ends (1440 for 24:00).
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// The civil length of the interval in minutes (real time may differ on DST days).
    pub fn minutes(self) -> u16 {
        self.end - self.start
    }
}

fn whole_minute(time: Time) -> Result<u16, FieldError> {
    if time.second() != 0 || time.subsec_nanosecond() != 0 {
        return Err(FieldError::new("interval", "not_whole_minute", "interval bounds are whole minutes"));
    }
    // hour < 24, minute < 60: fits in u16.
    Ok(u16::try_from(i32::from(time.hour()) * 60 + i32::from(time.minute())).unwrap_or(0))
}

impl fmt::Display for DayInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

impl FromStr for DayInterval {
    type Err = FieldError;

    /// Parses `HH:MM-HH:MM`; the end may be `24:00`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            FieldError::new(
                "interval",
                "interval_format",
                "an interval is written HH:MM-HH:MM, e.g. 09:00-12:00",
            )
        };
        let (start, end) = s.trim().split_once('-').ok_or_else(bad)?;
        let parse = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let h: u16 = h.parse().ok()?;
            let m: u16 = m.parse().ok()?;
            (h <= 24 && m < 60 && h * 60 + m <= MINUTES_PER_DAY).then_some(h * 60 + m)
        };
        let start = parse(start).ok_or_else(bad)?;
        let end = parse(end).ok_or_else(bad)?;
        Self::from_minutes(start, end)
    }
}

/// Serialized as its text, e.g. `"09:00-12:00"`.
impl serde::Serialize for DayInterval {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DayInterval {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(|e: FieldError| serde::de::Error::custom(e.message))
    }
}

/// A holiday: the whole day closed, or only some intervals of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holiday {
    /// Closed all day.
    WholeDay,
    /// Closed during these intervals (sorted, non-overlapping); open as usual otherwise.
    Partial(Vec<DayInterval>),
}

/// Opening hours in a time zone, with holidays and extra working days. Build one with
/// [`BusinessCalendar::builder`] or [`BusinessCalendar::always_open`].
///
/// ```
/// use jiff::civil::{Weekday, date};
/// use jiff::tz::TimeZone;
/// use kefu_domain::calendar::BusinessCalendar;
///
/// let zone = TimeZone::get("Asia/Shanghai").unwrap();
/// let calendar = BusinessCalendar::builder(zone)
///     .weekdays(
///         &[Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday],
///         ["09:00-12:00".parse().unwrap(), "13:30-18:00".parse().unwrap()],
///     )
///     .holiday(date(2026, 10, 1))
///     // 调休: Sunday 2026-09-27 is a working day.
///     .extra_working_day(date(2026, 9, 27), ["09:00-12:00".parse().unwrap(), "13:30-18:00".parse().unwrap()])
///     .build()
///     .unwrap();
///
/// // Friday 2026-09-25, 17:50 in Shanghai: 10 minutes left that day, the rest on the Sunday.
/// let start = "2026-09-25T17:50+08:00[Asia/Shanghai]".parse::<jiff::ZonedDateTime>().unwrap().timestamp();
/// let due = calendar.add_business_minutes(start, 30);
/// assert_eq!(due.to_string(), "2026-09-27T01:20:00Z"); // Sunday 09:20 in Shanghai
/// assert_eq!(calendar.business_minutes_between(start, due), 30);
/// ```
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    zone: TimeZone,
    weekly: [Vec<DayInterval>; 7],
    holidays: BTreeMap<Date, Holiday>,
    extra_working_days: BTreeMap<Date, Vec<DayInterval>>,
}

/// Collects a calendar's parts; [`BusinessCalendarBuilder::build`] validates them all at once.
#[derive(Debug, Clone)]
pub struct BusinessCalendarBuilder {
    zone: TimeZone,
    weekly: [Vec<DayInterval>; 7],
    holidays: BTreeMap<Date, Holiday>,
    extra_working_days: BTreeMap<Date, Vec<DayInterval>>,
}

impl BusinessCalendarBuilder {
    /// Sets the opening hours of one weekday (replacing earlier ones). No intervals: closed.
    #[must_use]
    pub fn weekday(mut self, day: Weekday, intervals: impl IntoIterator<Item = DayInterval>) -> Self {
        self.weekly[weekday_index(day)] = intervals.into_iter().collect();
        self
    }

    /// Sets the same opening hours on several weekdays.
    #[must_use]
    pub fn weekdays(mut self, days: &[Weekday], intervals: impl IntoIterator<Item = DayInterval>) -> Self {
        let intervals: Vec<DayInterval> = intervals.into_iter().collect();
        for &day in days {
            self.weekly[weekday_index(day)] = intervals.clone();
        }
        self
    }

    /// Closes a whole date.
    #[must_use]
    pub fn holiday(mut self, date: Date) -> Self {
        self.holidays.insert(date, Holiday::WholeDay);
        self
    }

    /// Closes some intervals of a date (e.g. an afternoon off on New Year's Eve).
    #[must_use]
    pub fn partial_holiday(mut self, date: Date, closed: impl IntoIterator<Item = DayInterval>) -> Self {
        self.holidays.insert(date, Holiday::Partial(closed.into_iter().collect()));
        self
    }

    /// Makes a date a working day with these hours, replacing its weekday's hours (调休).
    #[must_use]
    pub fn extra_working_day(mut self, date: Date, intervals: impl IntoIterator<Item = DayInterval>) -> Self {
        self.extra_working_days.insert(date, intervals.into_iter().collect());
        self
    }

    /// Validates and builds. Every problem is reported, each under its field:
    /// `weekly.monday`, `holidays.2026-10-01`, `extra_working_days.2026-09-27`, with codes
    /// `intervals_unsorted`, `intervals_overlap`, `intervals_empty` and `holiday_conflict`
    /// (a date that is both a whole-day holiday and an extra working day).
    pub fn build(self) -> Result<BusinessCalendar, DomainError> {
        let mut errors = FieldErrors::default();
        for (index, intervals) in self.weekly.iter().enumerate() {
            check_intervals(&format!("weekly.{}", WEEKDAY_NAMES[index]), intervals, true, &mut errors);
        }
        for (date, holiday) in &self.holidays {
            if let Holiday::Partial(closed) = holiday {
                check_intervals(&format!("holidays.{date}"), closed, false, &mut errors);
            }
        }
        for (date, intervals) in &self.extra_working_days {
            let field = format!("extra_working_days.{date}");
            check_intervals(&field, intervals, false, &mut errors);
            if self.holidays.get(date) == Some(&Holiday::WholeDay) {
                errors.push(FieldError::new(
                    field,
                    "holiday_conflict",
                    "a date cannot be both a holiday and an extra working day",
                ));
            }
        }
        errors.into_result()?;
        Ok(BusinessCalendar {
            zone: self.zone,
            weekly: self.weekly,
            holidays: self.holidays,
            extra_working_days: self.extra_working_days,
        })
    }
}

fn check_intervals(field: &str, intervals: &[DayInterval], may_be_empty: bool, errors: &mut FieldErrors) {
    if intervals.is_empty() && !may_be_empty {
        errors.push(FieldError::new(field, "intervals_empty", "at least one interval is required"));
    }
    for pair in intervals.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.start < a.start {
            errors.push(FieldError::new(
                field,
                "intervals_unsorted",
                format!("intervals must be in order: {b} comes before {a}"),
            ));
        } else if b.start < a.end {
            errors.push(FieldError::new(
                field,
                "intervals_overlap",
                format!("intervals {a} and {b} overlap"),
            ));
        }
    }
}

fn weekday_index(day: Weekday) -> usize {
    usize::try_from(day.to_monday_zero_offset()).unwrap_or(0)
}

/// The name of an IANA time zone as a calendar zone, e.g. `Asia/Shanghai`.
pub fn parse_zone(name: &str) -> Result<TimeZone, FieldError> {
    TimeZone::get(name).map_err(|_| FieldError::new("zone", "unknown_time_zone", format!("unknown time zone {name:?}")))
}

/// An open interval of real time, `[start, end)`, in nanoseconds since the Unix epoch.
type Span = (i128, i128);

impl BusinessCalendar {
    /// Starts a calendar in `zone` that is closed until hours are added.
    pub fn builder(zone: TimeZone) -> BusinessCalendarBuilder {
        BusinessCalendarBuilder {
            zone,
            weekly: Default::default(),
            holidays: BTreeMap::new(),
            extra_working_days: BTreeMap::new(),
        }
    }

    /// Open all the time (24x7), with no holidays.
    pub fn always_open(zone: TimeZone) -> Self {
        BusinessCalendar {
            zone,
            weekly: std::array::from_fn(|_| vec![DayInterval::WHOLE_DAY]),
            holidays: BTreeMap::new(),
            extra_working_days: BTreeMap::new(),
        }
    }

    /// The calendar's time zone.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The weekly hours of a weekday.
    pub fn weekly_hours(&self, day: Weekday) -> &[DayInterval] {
        &self.weekly[weekday_index(day)]
    }

    /// Holidays, by date.
    pub fn holidays(&self) -> &BTreeMap<Date, Holiday> {
        &self.holidays
    }

    /// Extra working days (调休), by date.
    pub fn extra_working_days(&self) -> &BTreeMap<Date, Vec<DayInterval>> {
        &self.extra_working_days
    }

    /// The civil opening hours of a date, after extra working days and holidays.
    pub fn hours_on(&self, date: Date) -> Vec<DayInterval> {
        let base = match self.extra_working_days.get(&date) {
            Some(intervals) => intervals.as_slice(),
            None => self.weekly[weekday_index(date.weekday())].as_slice(),
        };
        match self.holidays.get(&date) {
            None => base.to_vec(),
            Some(Holiday::WholeDay) => Vec::new(),
            Some(Holiday::Partial(closed)) => subtract(base, closed),
        }
    }

    /// Whether the calendar is open at `at`. Intervals are half-open: open at 09:00:00,
    /// closed at 12:00:00 for 09:00-12:00.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let t = at.as_nanosecond();
        let date = self.zone.to_datetime(at).date();
        let first = date.yesterday().unwrap_or(date);
        // An interval of a date lies within that date's instants, but look one day either side
        // in case of zone transitions at midnight.
        let mut day = first;
        for _ in 0..3 {
            if self.spans_on(day).iter().any(|&(s, e)| s <= t && t < e) {
                return true;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        false
    }

    /// The first open instant at or after `at`: `at` itself when open. `None` when the
    /// calendar never opens again (no weekly hours and no extra working day to come, or
    /// about three years of days without any open time).
    pub fn next_opening(&self, at: Timestamp) -> Option<Timestamp> {
        let t = at.as_nanosecond();
        let (s, _) = self.open_spans_from(at).next()?;
        Timestamp::from_nanosecond(s.max(t)).ok()
    }

    /// When the calendar is open at `at`, the instant it next closes (following open time
    /// across midnight); `None` when it is closed at `at`, or stays open for the next 60
    /// days (a 24x7 calendar). A business-hours clock counts down until then.
    pub fn open_until(&self, at: Timestamp) -> Option<Timestamp> {
        let t = at.as_nanosecond();
        let mut spans = self.open_spans_from(at);
        let (s, mut end) = spans.next()?;
        if s > t {
            return None;
        }
        for (next_start, next_end) in spans.take(60 * 4) {
            if next_start != end {
                return Timestamp::from_nanosecond(end).ok();
            }
            end = next_end;
        }
        None
    }

    /// The instant `n` business minutes after `start`. Counting starts at
    /// [`next_opening`](Self::next_opening)`(start)`, so `add_business_minutes(start, 0)` is the
    /// next opening. For `n > 0` the result is inside an open interval or exactly at its end
    /// (a due time of "10 minutes" counted from 11:50 in a 09:00-12:00 day is 12:00, not the
    /// next morning). [`Timestamp::MAX`] when the calendar runs out of open time ("never").
    ///
    /// ```
    /// use jiff::tz::TimeZone;
    /// use kefu_domain::calendar::BusinessCalendar;
    ///
    /// let calendar = BusinessCalendar::always_open(TimeZone::UTC);
    /// let start: jiff::Timestamp = "2026-01-01T00:00:30Z".parse().unwrap();
    /// assert_eq!(calendar.add_business_minutes(start, 90).to_string(), "2026-01-01T01:30:30Z");
    /// ```
    pub fn add_business_minutes(&self, start: Timestamp, n: u32) -> Timestamp {
        self.checked_add_business_minutes(start, n).unwrap_or(Timestamp::MAX)
    }

    /// Like [`add_business_minutes`](Self::add_business_minutes), `None` instead of
    /// [`Timestamp::MAX`] when the calendar runs out of open time.
    pub fn checked_add_business_minutes(&self, start: Timestamp, n: u32) -> Option<Timestamp> {
        self.checked_add_open_nanos(start, i128::from(n) * NANOS_PER_MINUTE)
    }

    /// The instant `nanos` of open time after `start`.
    fn checked_add_open_nanos(&self, start: Timestamp, nanos: i128) -> Option<Timestamp> {
        let t = start.as_nanosecond();
        let mut remaining = nanos;
        for (s, e) in self.open_spans_from(start) {
            let from = s.max(t);
            let available = e - from;
            if remaining <= available {
                return Timestamp::from_nanosecond(from + remaining).ok();
            }
            remaining -= available;
        }
        None
    }

    /// Whole business minutes in `[a, b)`; 0 when `b <= a`. Both instants are first
    /// truncated to the whole minute (UTC), which makes counts additive:
    /// `between(a, b) + between(b, c) == between(a, c)` for `a <= b <= c`.
    ///
    /// ```
    /// use jiff::tz::TimeZone;
    /// use kefu_domain::calendar::BusinessCalendar;
    ///
    /// let calendar = BusinessCalendar::always_open(TimeZone::UTC);
    /// let a: jiff::Timestamp = "2026-01-01T00:00:50Z".parse().unwrap();
    /// let b: jiff::Timestamp = "2026-01-01T00:01:10Z".parse().unwrap();
    /// assert_eq!(calendar.business_minutes_between(a, b), 1); // 00:00 to 00:01
    /// ```
    pub fn business_minutes_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        if b <= a {
            return 0;
        }
        let a = floor_minute(a.as_nanosecond());
        let b = floor_minute(b.as_nanosecond());
        if b <= a {
            return 0;
        }
        i64::try_from(self.open_nanos_between(a, b) / NANOS_PER_MINUTE).unwrap_or(i64::MAX)
    }

    /// Open time in `[a, b)`, in nanoseconds (`a < b`).
    fn open_nanos_between(&self, a: i128, b: i128) -> i128 {
        let Ok(from) = Timestamp::from_nanosecond(a) else { return 0 };
        let mut open: i128 = 0;
        for (s, e) in self.open_spans_from(from) {
            if s >= b {
                break;
            }
            open += e.min(b) - s.max(a);
        }
        open
    }

    /// The instant `ms` milliseconds of open time after `start` (counting from
    /// [`next_opening`](Self::next_opening)`(start)`), exact to the nanosecond of `start`:
    /// what an SLA clock needs for targets like "first reply in 30 seconds". `None` when the
    /// calendar runs out of open time.
    pub fn checked_add_business_millis(&self, start: Timestamp, ms: i64) -> Option<Timestamp> {
        self.checked_add_open_nanos(start, i128::from(ms.max(0)) * NANOS_PER_MILLI)
    }

    /// Open time in `[a, b)` in whole milliseconds (truncated), exact rather than counted in
    /// whole minutes; 0 when `b <= a`. Additive up to the truncation.
    pub fn business_millis_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        if b <= a {
            return 0;
        }
        let open = self.open_nanos_between(a.as_nanosecond(), b.as_nanosecond());
        i64::try_from(open / NANOS_PER_MILLI).unwrap_or(i64::MAX)
    }

    /// Open spans of real time, in order, that end after `at` (the first may start before it).
    fn open_spans_from(&self, at: Timestamp) -> impl Iterator<Item = Span> + '_ {
        let t = at.as_nanosecond();
        let date = self.zone.to_datetime(at).date();
        let mut day = Some(date.yesterday().unwrap_or(date));
        let mut closed_days = 0u32;
        std::iter::from_fn(move || {
            let current = day?;
            if closed_days > MAX_CLOSED_DAYS || self.never_opens_from(current) {
                day = None;
                return None;
            }
            day = current.tomorrow().ok();
            let spans: Vec<Span> = self.spans_on(current).into_iter().filter(|&(_, e)| e > t).collect();
            if spans.is_empty() {
                closed_days += 1;
            } else {
                closed_days = 0;
            }
            Some(spans)
        })
        .flatten()
    }

    /// True when no date from `date` on can be open: no weekly hours and no extra working
    /// day on or after `date`.
    fn never_opens_from(&self, date: Date) -> bool {
        self.weekly.iter().all(Vec::is_empty) && self.extra_working_days.range(date..).next().is_none()
    }

    /// The open spans of real time of a civil date, sorted, disjoint and non-empty.
    fn spans_on(&self, date: Date) -> Vec<Span> {
        let mut spans = Vec::new();
        for interval in self.hours_on(date) {
            let (Some(s), Some(e)) = (self.instant(date, interval.start), self.instant(date, interval.end)) else {
                continue;
            };
            if s < e {
                spans.push((s, e));
            }
        }
        spans
    }

    /// The instant (ns) of minute `minute` (0..=1440) of `date` in the zone; see the module
    /// documentation for gaps and folds.
    fn instant(&self, date: Date, minute: u16) -> Option<i128> {
        let dt: DateTime = if minute >= MINUTES_PER_DAY {
            date.tomorrow().ok()?.to_datetime(Time::midnight())
        } else {
            let hour = i8::try_from(minute / 60).ok()?;
            let min = i8::try_from(minute % 60).ok()?;
            date.to_datetime(Time::new(hour, min, 0, 0).ok()?)
        };
        let ambiguous = self.zone.to_ambiguous_timestamp(dt);
        let earlier = ambiguous.earlier().ok()?;
        let ts = match ambiguous.offset() {
            // The instant the clocks jump: the first transition after the earlier reading.
            AmbiguousOffset::Gap { .. } => self
                .zone
                .following(earlier)
                .next()
                .map_or(earlier, |transition| transition.timestamp()),
            AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => earlier,
        };
        Some(ts.as_nanosecond())
    }
}

fn floor_minute(nanos: i128) -> i128 {
    nanos.div_euclid(NANOS_PER_MINUTE) * NANOS_PER_MINUTE
}

/// `open` minus `closed`; both sorted and disjoint.
fn subtract(open: &[DayInterval], closed: &[DayInterval]) -> Vec<DayInterval> {
    let mut result = Vec::new();
    for &interval in open {
        let mut start = interval.start;
        for c in closed {
            if c.end <= start || c.start >= interval.end {
                continue;
            }
            if c.start > start {
                result.push(DayInterval { start, end: c.start });
            }
            start = start.max(c.end);
        }
        if start < interval.end {
            result.push(DayInterval { start, end: interval.end });
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ZonedDateTime;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn open_until_follows_open_time_across_midnight_and_is_none_when_closed() {
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        let calendar = BusinessCalendar::builder(zone)
            .weekdays(
                &[Weekday::Monday],
                [
                    DayInterval::from_minutes(9 * 60, 12 * 60).unwrap(),
                    DayInterval::from_minutes(22 * 60, 24 * 60).unwrap(),
                ],
            )
            .weekday(Weekday::Tuesday, [DayInterval::from_minutes(0, 2 * 60).unwrap()])
            .build()
            .unwrap();
        // 2026-12-07 is a Monday.
        let at = |s: &str| -> Timestamp {
            format!("{s}+08:00[Asia/Shanghai]")
                .parse::<jiff::ZonedDateTime>()
                .unwrap()
                .timestamp()
        };
        assert_eq!(calendar.open_until(at("2026-12-07T10:00:00")), Some(at("2026-12-07T12:00:00")));
        assert_eq!(calendar.open_until(at("2026-12-07T13:00:00")), None, "closed");
        assert_eq!(
            calendar.open_until(at("2026-12-07T23:00:00")),
            Some(at("2026-12-08T02:00:00")),
            "across midnight"
        );
        assert_eq!(
            BusinessCalendar::always_open(TimeZone::UTC).open_until(at("2026-12-07T10:00:00")),
            None
        );
    }

    fn iv(s: &str) -> DayInterval {
        s.parse().unwrap()
    }

    const WORKDAYS: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    /// Shanghai, 09:00-12:00 and 13:30-18:00 Mon-Fri; National Day 2026-10-01..07 off; 调休 on
    /// Sunday 2026-09-20 and Saturday 2026-10-10; afternoon of 2026-09-30 off.
    fn shanghai() -> BusinessCalendar {
        let mut b = BusinessCalendar::builder(TimeZone::get("Asia/Shanghai").unwrap())
            .weekdays(&WORKDAYS, [iv("09:00-12:00"), iv("13:30-18:00")])
            .extra_working_day(date(2026, 9, 20), [iv("09:00-12:00"), iv("13:30-18:00")])
            .extra_working_day(date(2026, 10, 10), [iv("09:00-12:00"), iv("13:30-18:00")])
            .partial_holiday(date(2026, 9, 30), [iv("12:00-24:00")]);
        for day in 1..=7 {
            b = b.holiday(date(2026, 10, day));
        }
        b.build().unwrap()
    }

    /// Berlin: 09:00-17:00 every day, but 01:00-04:00 on the DST change days of 2026.
    fn berlin() -> BusinessCalendar {
        let all = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        BusinessCalendar::builder(TimeZone::get("Europe/Berlin").unwrap())
            .weekdays(&all, [iv("09:00-17:00")])
            .extra_working_day(date(2026, 3, 29), [iv("01:00-04:00")])
            .extra_working_day(date(2026, 10, 25), [iv("01:00-04:00")])
            .build()
            .unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<ZonedDateTime>().unwrap().timestamp()
    }

    fn utc(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn interval_parsing_and_validation() {
        assert_eq!(iv("00:00-24:00"), DayInterval::WHOLE_DAY);
        assert_eq!(iv("13:30-18:00").minutes(), 270);
        for bad in [
            "9:00-12:00",
            "12:00-09:00",
            "09:00-09:00",
            "24:00-24:00",
            "09:00-24:01",
            "09:60-10:00",
            "0900-1000",
        ] {
            assert!(bad.parse::<DayInterval>().is_err(), "{bad}");
        }
        assert_eq!(
            DayInterval::new(Time::constant(9, 0, 0, 0), Time::constant(12, 0, 0, 0)).unwrap(),
            iv("09:00-12:00")
        );
        assert_eq!(DayInterval::until_midnight(Time::constant(18, 0, 0, 0)).unwrap(), iv("18:00-24:00"));
        assert_eq!(
            DayInterval::new(Time::constant(9, 0, 1, 0), Time::constant(12, 0, 0, 0))
                .unwrap_err()
                .code,
            "not_whole_minute"
        );
    }

    #[test]
    fn builder_reports_every_problem() {
        let err = BusinessCalendar::builder(TimeZone::UTC)
            .weekday(Weekday::Monday, [iv("13:00-18:00"), iv("09:00-12:00")])
            .weekday(Weekday::Tuesday, [iv("09:00-12:00"), iv("11:00-18:00")])
            .weekday(Weekday::Wednesday, [iv("09:00-12:00"), iv("12:00-18:00")]) // touching is fine
            .holiday(date(2026, 10, 1))
            .extra_working_day(date(2026, 10, 1), [iv("09:00-12:00")])
            .extra_working_day(date(2026, 10, 2), [])
            .build()
            .unwrap_err();
        let DomainError::Invalid(FieldErrors(errors)) = err else {
            panic!("{err:?}")
        };
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("weekly.monday", "intervals_unsorted"),
                ("weekly.tuesday", "intervals_overlap"),
                ("extra_working_days.2026-10-01", "holiday_conflict"),
                ("extra_working_days.2026-10-02", "intervals_empty"),
            ]
        );
        assert_eq!(parse_zone("Mars/Olympus").unwrap_err().code, "unknown_time_zone");
        assert!(parse_zone("Asia/Shanghai").is_ok());
    }

    #[test]
    fn shanghai_hours() {
        let c = shanghai();
        // Monday 2026-09-14.
        assert!(!c.is_open(at("2026-09-14T08:59:59+08:00[Asia/Shanghai]")));
        assert!(c.is_open(at("2026-09-14T09:00+08:00[Asia/Shanghai]")));
        assert!(!c.is_open(at("2026-09-14T12:00+08:00[Asia/Shanghai]")));
        assert!(c.is_open(at("2026-09-14T13:30+08:00[Asia/Shanghai]")));
        // Lunch break: counting resumes at 13:30.
        let start = at("2026-09-14T11:50+08:00[Asia/Shanghai]");
        assert_eq!(c.add_business_minutes(start, 10), at("2026-09-14T12:00+08:00[Asia/Shanghai]"));
        assert_eq!(c.add_business_minutes(start, 11), at("2026-09-14T13:31+08:00[Asia/Shanghai]"));
        // From a closed instant, counting starts at the next opening.
        assert_eq!(
            c.add_business_minutes(at("2026-09-14T12:10+08:00[Asia/Shanghai]"), 0),
            at("2026-09-14T13:30+08:00[Asia/Shanghai]")
        );
        assert_eq!(
            c.next_opening(at("2026-09-14T18:00+08:00[Asia/Shanghai]")),
            Some(at("2026-09-15T09:00+08:00[Asia/Shanghai]"))
        );
        // Friday evening to Monday: 7.5 hours a day.
        assert_eq!(
            c.add_business_minutes(at("2026-09-11T17:00+08:00[Asia/Shanghai]"), 60),
            at("2026-09-11T18:00+08:00[Asia/Shanghai]")
        );
        assert_eq!(
            c.add_business_minutes(at("2026-09-11T17:00+08:00[Asia/Shanghai]"), 61),
            at("2026-09-14T09:01+08:00[Asia/Shanghai]")
        );
        // A whole working week: 5 × 450 minutes.
        assert_eq!(
            c.business_minutes_between(
                at("2026-09-14T00:00+08:00[Asia/Shanghai]"),
                at("2026-09-19T00:00+08:00[Asia/Shanghai]")
            ),
            2250
        );
    }

    #[test]
    fn shanghai_holidays_and_tiaoxiu() {
        let c = shanghai();
        // 调休: Sunday 2026-09-20 is worked.
        assert!(c.is_open(at("2026-09-20T10:00+08:00[Asia/Shanghai]")));
        assert!(!c.is_open(at("2026-09-19T10:00+08:00[Asia/Shanghai]"))); // an ordinary Saturday
        assert_eq!(
            c.add_business_minutes(at("2026-09-18T17:30+08:00[Asia/Shanghai]"), 40),
            at("2026-09-20T09:10+08:00[Asia/Shanghai]")
        );
        // Afternoon of 2026-09-30 off, then National Day 10-01..07, then Thursday 10-08.
        assert!(!c.is_open(at("2026-09-30T14:00+08:00[Asia/Shanghai]")));
        assert!(!c.is_open(at("2026-10-05T10:00+08:00[Asia/Shanghai]"))); // a Monday, but a holiday
        assert_eq!(
            c.add_business_minutes(at("2026-09-30T11:00+08:00[Asia/Shanghai]"), 61),
            at("2026-10-08T09:01+08:00[Asia/Shanghai]")
        );
        assert_eq!(
            c.next_opening(at("2026-09-30T12:00+08:00[Asia/Shanghai]")),
            Some(at("2026-10-08T09:00+08:00[Asia/Shanghai]"))
        );
        // 调休 Saturday 2026-10-10.
        assert_eq!(
            c.add_business_minutes(at("2026-10-09T18:00+08:00[Asia/Shanghai]"), 1),
            at("2026-10-10T09:01+08:00[Asia/Shanghai]")
        );
        // Week of 09-28 (Mon) to 10-04: Mon, Tue full, Wed morning = 450 + 450 + 180.
        assert_eq!(
            c.business_minutes_between(
                at("2026-09-28T00:00+08:00[Asia/Shanghai]"),
                at("2026-10-05T00:00+08:00[Asia/Shanghai]")
            ),
            1080
        );
    }

    #[test]
    fn always_open_is_elapsed_time() {
        let c = BusinessCalendar::always_open(TimeZone::get("Europe/Berlin").unwrap());
        let start = utc("2026-03-28T12:00:00Z");
        // Across the spring-forward night, 24×7 counts real minutes.
        assert_eq!(c.add_business_minutes(start, 24 * 60), utc("2026-03-29T12:00:00Z"));
        assert_eq!(
            c.business_minutes_between(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")),
            365 * 24 * 60
        );
        assert!(c.is_open(utc("2026-10-25T01:30:00Z")));
        assert_eq!(c.next_opening(start), Some(start));
        assert_eq!(c.add_business_minutes(start, 100_000), utc("2026-06-05T22:40:00Z"));
    }

    #[test]
    fn berlin_spring_forward() {
        let c = berlin();
        // 2026-03-29: 01:00 CET (00:00 UTC) to 04:00 CEST (02:00 UTC): 2 real hours.
        let day = |h| utc(&format!("2026-03-29T{h}:00:00Z"));
        assert_eq!(c.next_opening(utc("2026-03-28T20:00:00Z")), Some(day("00")));
        assert_eq!(c.business_minutes_between(day("00"), day("12")), 120);
        assert_eq!(c.add_business_minutes(day("00"), 120), day("02"));
        assert_eq!(c.add_business_minutes(day("00"), 121), utc("2026-03-30T07:01:00Z")); // Monday 09:01 CEST
        assert!(c.is_open(utc("2026-03-29T01:30:00Z")));
        assert!(!c.is_open(day("02")));
        // 09:00-17:00 on the Saturday before (CET) and the Monday after (CEST).
        assert_eq!(c.next_opening(utc("2026-03-28T00:00:00Z")), Some(utc("2026-03-28T08:00:00Z")));
        assert_eq!(c.next_opening(day("03")), Some(utc("2026-03-30T07:00:00Z")));
    }

    #[test]
    fn berlin_fall_back() {
        let c = berlin();
        // 2026-10-25: 01:00 CEST (23:00 UTC the day before) to 04:00 CET (03:00 UTC): 4 real hours.
        assert_eq!(c.next_opening(utc("2026-10-24T20:00:00Z")), Some(utc("2026-10-24T23:00:00Z")));
        assert_eq!(
            c.business_minutes_between(utc("2026-10-24T20:00:00Z"), utc("2026-10-25T06:00:00Z")),
            240
        );
        assert_eq!(
            c.add_business_minutes(utc("2026-10-24T23:00:00Z"), 240),
            utc("2026-10-25T03:00:00Z")
        );
        // Both 02:30s are open.
        assert!(c.is_open(utc("2026-10-25T00:30:00Z")));
        assert!(c.is_open(utc("2026-10-25T01:30:00Z")));
        assert_eq!(c.next_opening(utc("2026-10-25T03:00:00Z")), Some(utc("2026-10-26T08:00:00Z")));
    }

    #[test]
    fn ambiguous_and_missing_civil_times() {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        // An interval inside the spring-forward gap is empty; one across it starts at the jump.
        let c = BusinessCalendar::builder(zone.clone())
            .extra_working_day(date(2026, 3, 29), [iv("02:10-02:50")])
            .extra_working_day(date(2026, 3, 30), [iv("02:10-02:50")])
            .build()
            .unwrap();
        assert_eq!(c.next_opening(utc("2026-03-28T00:00:00Z")), Some(utc("2026-03-30T00:10:00Z")));
        let c = BusinessCalendar::builder(zone.clone())
            .extra_working_day(date(2026, 3, 29), [iv("02:30-03:30")])
            .build()
            .unwrap();
        assert_eq!(c.next_opening(utc("2026-03-28T00:00:00Z")), Some(utc("2026-03-29T01:00:00Z")));
        assert_eq!(
            c.business_minutes_between(utc("2026-03-28T00:00:00Z"), utc("2026-03-30T00:00:00Z")),
            30
        );
        // A repeated civil time is taken at its first occurrence.
        let c = BusinessCalendar::builder(zone)
            .extra_working_day(date(2026, 10, 25), [iv("02:00-02:30")])
            .build()
            .unwrap();
        assert_eq!(c.next_opening(utc("2026-10-24T00:00:00Z")), Some(utc("2026-10-25T00:00:00Z")));
        assert_eq!(
            c.business_minutes_between(utc("2026-10-24T00:00:00Z"), utc("2026-10-26T00:00:00Z")),
            30
        );
        assert!(!c.is_open(utc("2026-10-25T01:10:00Z")));
    }

    #[test]
    fn never_open() {
        let c = BusinessCalendar::builder(TimeZone::UTC).build().unwrap();
        assert_eq!(c.next_opening(utc("2026-01-01T00:00:00Z")), None);
        assert_eq!(c.add_business_minutes(utc("2026-01-01T00:00:00Z"), 1), Timestamp::MAX);
        assert_eq!(c.business_minutes_between(utc("2026-01-01T00:00:00Z"), Timestamp::MAX), 0);
        // Closed weekly but for one extra day: it opens once, then never again.
        let c = BusinessCalendar::builder(TimeZone::UTC)
            .extra_working_day(date(2027, 6, 2), [iv("09:00-10:00")])
            .build()
            .unwrap();
        assert_eq!(c.next_opening(utc("2026-01-01T00:00:00Z")), Some(utc("2027-06-02T09:00:00Z")));
        assert_eq!(
            c.checked_add_business_minutes(utc("2026-01-01T00:00:00Z"), 60),
            Some(utc("2027-06-02T10:00:00Z"))
        );
        assert_eq!(c.checked_add_business_minutes(utc("2026-01-01T00:00:00Z"), 61), None);
        // Weekly hours but every day a holiday for more than three years: give up.
        let mut b = BusinessCalendar::builder(TimeZone::UTC).weekday(Weekday::Monday, [iv("09:00-10:00")]);
        let mut d = date(2026, 1, 1);
        for _ in 0..(4 * 366) {
            b = b.holiday(d);
            d = d.tomorrow().unwrap();
        }
        assert_eq!(b.build().unwrap().next_opening(utc("2026-01-01T00:00:00Z")), None);
    }

    #[test]
    fn hundred_thousand_minutes_is_fast() {
        let c = shanghai();
        let start = at("2026-01-05T09:00+08:00[Asia/Shanghai]");
        let due = c.add_business_minutes(start, 100_000);
        assert_eq!(c.business_minutes_between(start, due), 100_000);
    }

    // ---- properties ----

    fn zones() -> impl Strategy<Value = TimeZone> {
        prop_oneof![
            Just(TimeZone::get("Asia/Shanghai").unwrap()),
            Just(TimeZone::get("Europe/Berlin").unwrap()),
            Just(TimeZone::get("America/New_York").unwrap()),
            Just(TimeZone::get("Australia/Lord_Howe").unwrap()), // 30-minute DST shift
        ]
    }

    /// Up to 3 sorted, disjoint intervals whose bounds are multiples of 30 minutes (so that DST
    /// boundaries at 02:00 / 02:30 / 03:00 are hit often).
    fn day_hours() -> impl Strategy<Value = Vec<DayInterval>> {
        proptest::collection::btree_set(0u16..=48, 0..=6).prop_map(|set| {
            let bounds: Vec<u16> = set.into_iter().map(|h| h * 30).collect();
            bounds
                .chunks_exact(2)
                .map(|c| DayInterval::from_minutes(c[0], c[1]).unwrap())
                .collect()
        })
    }

    fn calendars() -> impl Strategy<Value = BusinessCalendar> {
        (
            zones(),
            proptest::array::uniform7(day_hours()),
            proptest::collection::vec((0i64..400, any::<bool>()), 0..6),
            proptest::collection::vec((0i64..400, day_hours()), 0..4),
        )
            .prop_map(|(zone, weekly, holidays, extra)| {
                let base = date(2026, 1, 1);
                let mut b = BusinessCalendar::builder(zone);
                for (i, hours) in weekly.into_iter().enumerate() {
                    b = b.weekday(Weekday::from_monday_zero_offset(i8::try_from(i).unwrap()).unwrap(), hours);
                }
                for (offset, hours) in extra {
                    if !hours.is_empty() {
                        b = b.extra_working_day(base.checked_add(jiff::Span::new().days(offset)).unwrap(), hours);
                    }
                }
                for (offset, whole) in holidays {
                    let d = base.checked_add(jiff::Span::new().days(offset)).unwrap();
                    if whole {
                        if !b.extra_working_days.contains_key(&d) {
                            b = b.holiday(d);
                        }
                    } else {
                        b = b.partial_holiday(d, [iv("11:00-15:00")]);
                    }
                }
                b.build().unwrap()
            })
    }

    /// Instants from 2025-12-01 over about 14 months, to the second; half of them within three
    /// days of a 2026 DST change of one of the zones above.
    fn instants() -> impl Strategy<Value = Timestamp> {
        let base = utc("2025-12-01T00:00:00Z").as_second();
        let changes = [
            "2026-03-08T07:00:00Z", // New York, spring forward
            "2026-03-29T01:00:00Z", // Berlin, spring forward
            "2026-04-04T15:00:00Z", // Lord Howe, back 30 minutes
            "2026-10-03T15:30:00Z", // Lord Howe, forward 30 minutes
            "2026-10-25T01:00:00Z", // Berlin, fall back
            "2026-11-01T06:00:00Z", // New York, fall back
        ]
        .map(|t| utc(t).as_second());
        prop_oneof![
            (0i64..(430 * 86_400)).prop_map(move |s| Timestamp::from_second(base + s).unwrap()),
            (0usize..changes.len(), -3 * 86_400i64..3 * 86_400).prop_map(move |(i, s)| Timestamp::from_second(changes[i] + s).unwrap()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn add_then_measure_returns_n(c in calendars(), start in instants(), n in 0u32..150_000) {
            let due = c.add_business_minutes(start, n);
            match c.next_opening(start) {
                None => prop_assert_eq!(due, Timestamp::MAX),
                Some(opening) => {
                    prop_assert!(opening >= start);
                    prop_assert!(c.is_open(opening));
                    if due != Timestamp::MAX {
                        prop_assert_eq!(c.business_minutes_between(opening, due), i64::from(n));
                        prop_assert_eq!(c.business_minutes_between(start, due), i64::from(n));
                    }
                }
            }
        }

        /// For n > 0 the result is inside an open interval or exactly at its end: the instant
        /// just before it is open.
        #[test]
        fn result_is_never_inside_a_closed_period(c in calendars(), start in instants(), n in 1u32..50_000) {
            let due = c.add_business_minutes(start, n);
            if due != Timestamp::MAX {
                let just_before = due.checked_sub(jiff::SignedDuration::from_nanos(1)).unwrap();
                prop_assert!(c.is_open(just_before), "due {} not at or in an open interval", due);
            }
        }

        #[test]
        fn monotonic_in_n(c in calendars(), start in instants(), n in 0u32..50_000, k in 0u32..5_000) {
            let a = c.add_business_minutes(start, n);
            let b = c.add_business_minutes(start, n + k);
            prop_assert!(a <= b);
            if k > 0 && a != Timestamp::MAX {
                prop_assert!(a < b);
            }
        }

        /// The millisecond forms agree with each other exactly (instants on whole
        /// milliseconds), which is what SLA clocks rely on.
        #[test]
        fn add_then_measure_millis_returns_n(c in calendars(), start in instants(), ms in 0i64..9_000_000_000) {
            let start = Timestamp::from_millisecond(start.as_millisecond()).unwrap();
            if let Some(due) = c.checked_add_business_millis(start, ms) {
                prop_assert_eq!(c.business_millis_between(start, due), ms);
                if ms > 0 {
                    let just_before = due.checked_sub(jiff::SignedDuration::from_nanos(1)).unwrap();
                    prop_assert!(c.is_open(just_before));
                }
            }
        }

        #[test]
        fn between_is_additive(c in calendars(), x in instants(), y in instants(), z in instants()) {
            let mut v = [x, y, z];
            v.sort();
            let [a, b, d] = v;
            prop_assert_eq!(c.business_minutes_between(a, b) + c.business_minutes_between(b, d), c.business_minutes_between(a, d));
            prop_assert_eq!(c.business_minutes_between(d, a), 0);
        }

        #[test]
        fn next_opening_is_first_open_instant(c in calendars(), start in instants()) {
            if let Some(opening) = c.next_opening(start) {
                prop_assert!(c.is_open(opening));
                prop_assert_eq!(c.business_minutes_between(start, opening), 0);
                if opening > start {
                    prop_assert!(!c.is_open(start));
                    // Still closed one minute (or less) before the opening.
                    let before = opening.checked_sub(jiff::SignedDuration::from_mins(1)).unwrap().max(start);
                    prop_assert!(!c.is_open(before));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// Against a brute-force count of open minutes (each minute starts on a whole minute and
        /// all bounds are whole minutes, so a minute is open iff its first instant is).
        #[test]
        fn between_matches_minute_by_minute(c in calendars(), start in instants(), len in 0i64..(3 * 1440)) {
            let a = Timestamp::from_second(start.as_second() / 60 * 60).unwrap();
            let b = Timestamp::from_second(a.as_second() + len * 60).unwrap();
            let brute = (0..len).filter(|m| c.is_open(Timestamp::from_second(a.as_second() + m * 60).unwrap())).count();
            prop_assert_eq!(c.business_minutes_between(a, b), i64::try_from(brute).unwrap());
        }
    }
}
