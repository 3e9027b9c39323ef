//! Analytics: the KPIs of a service department, folded from ticket events into hourly
//! rollup rows (hour × team × agent × channel × kind × priority). Each row holds counters
//! and duration sketches; a report adds rows and merges sketches, never reading tickets.
//!
//! [`fold`] turns events into row deltas (pure, so a rebuild and the live reactor agree
//! exactly); [`kpi`] turns summed rows into the KPIs with their definitions.

pub mod fold;
pub mod kpi;
pub mod sketch;
#[cfg(test)]
mod tests;

use crate::entities::Id;
use crate::enums::{Channel, Priority, TicketKind};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use sketch::{Durations, DurationsSum};

const HOUR_MS: i64 = 3_600_000;

/// Hours since the Unix epoch (UTC): the rollups' time key. Reports bucket hours into
/// days in the report's time zone (exact for zones with whole-hour offsets).
pub fn hour_of(at: Timestamp) -> i64 {
    at.as_millisecond().div_euclid(HOUR_MS)
}

/// The instant an hour key starts.
pub fn hour_start(hour: i64) -> Timestamp {
    Timestamp::from_millisecond(hour.saturating_mul(HOUR_MS)).unwrap_or_default()
}

/// What a rollup row is about besides its hour. `None` team or agent is its own value
/// (tickets in no team's queue, work nobody held).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dims {
    pub team_id: Option<Id>,
    pub agent_id: Option<Id>,
    pub channel: Channel,
    pub kind: TicketKind,
    pub priority: Priority,
}

/// One rollup row's key (also kept in a ticket's fold state, hence serde).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RowKey {
    pub hour: i64,
    pub dims: Dims,
}

/// A dimension of the rollups besides time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    Team,
    Agent,
    Channel,
    Kind,
    Priority,
}

impl Dim {
    pub const ALL: [Dim; 5] = [Dim::Team, Dim::Agent, Dim::Channel, Dim::Kind, Dim::Priority];

    /// The hourly table's column of the dimension, also its name in a stored slice.
    pub fn column(self) -> &'static str {
        match self {
            Dim::Team => "team_id",
            Dim::Agent => "agent_id",
            Dim::Channel => "channel",
            Dim::Kind => "kind",
            Dim::Priority => "priority",
        }
    }

    /// The dimension's value in `dims` as stored ('0' for no team or agent).
    pub fn value_of(self, dims: &Dims) -> String {
        match self {
            Dim::Team => dims.team_id.unwrap_or(0).to_string(),
            Dim::Agent => dims.agent_id.unwrap_or(0).to_string(),
            Dim::Channel => dims.channel.as_str().to_string(),
            Dim::Kind => dims.kind.as_str().to_string(),
            Dim::Priority => dims.priority.as_str().to_string(),
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// What a daily rollup row covers: all tickets, or one value of each of some dimensions
/// (a team, a team's work on one channel, an agent's chat complaints in one team, ...).
/// Every subset of the five dimensions is kept (32 slices), so any report, whatever it
/// is filtered and grouped by, reads a row per day and group instead of hourly rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slice(u8);

impl Slice {
    /// All tickets.
    pub const WHOLE: Slice = Slice(0);
    /// Between the values of a slice of several dimensions, in the order of [`Dim::ALL`]
    /// (no stored value contains it: ids and enum names).
    pub const SEPARATOR: char = ',';

    /// The slice of these dimensions (in any order, repeats ignored).
    pub fn of(dims: &[Dim]) -> Slice {
        Slice(dims.iter().fold(0, |mask, dim| mask | dim.bit()))
    }

    /// Every slice the daily rows keep: all tickets and each subset of the dimensions.
    pub fn kept() -> impl Iterator<Item = Slice> {
        (0..1u8 << Dim::ALL.len()).map(Slice)
    }

    /// How many dimensions it has (0 for all tickets).
    pub fn width(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Its dimensions, in the order of [`Dim::ALL`] (the order of a stored value's parts).
    pub fn dims(self) -> impl Iterator<Item = Dim> {
        Dim::ALL.into_iter().filter(move |dim| self.0 & dim.bit() != 0)
    }

    /// Where `dim`'s part is in a stored value of this slice.
    pub fn position(self, dim: Dim) -> Option<usize> {
        self.dims().position(|d| d == dim)
    }

    /// The stored name: its dimensions' columns joined by [`Slice::SEPARATOR`] ('' for
    /// all tickets).
    pub fn name(self) -> String {
        self.dims().map(Dim::column).collect::<Vec<_>>().join(&Self::SEPARATOR.to_string())
    }

    /// A stored name back (only as [`Slice::name`] writes it: columns in the order of
    /// [`Dim::ALL`], none twice). The reactor parses every stored row it reads back, so
    /// this reads the name rather than comparing it with every slice's.
    pub fn parse(text: &str) -> Option<Slice> {
        if text.is_empty() {
            return Some(Slice::WHOLE);
        }
        let mut mask = 0;
        let mut previous: Option<Dim> = None;
        for column in text.split(Self::SEPARATOR) {
            let dim = Dim::ALL.into_iter().find(|dim| dim.column() == column)?;
            if previous.is_some_and(|before| before >= dim) {
                return None;
            }
            previous = Some(dim);
            mask |= dim.bit();
        }
        Some(Slice(mask))
    }

    /// The slice's value in `dims` as stored: its dimensions' values joined by
    /// [`Slice::SEPARATOR`] ('' for all tickets).
    pub fn value_of(self, dims: &Dims) -> String {
        self.dims()
            .map(|dim| dim.value_of(dims))
            .collect::<Vec<_>>()
            .join(&Self::SEPARATOR.to_string())
    }
}

/// How long a row of the daily table covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Span {
    /// One day.
    Day,
    /// A week from Monday to Sunday, kept for the slices of at most
    /// [`Span::WEEK_MAX_WIDTH`] dimensions: a report over months grouped by agent reads a
    /// row per agent and week (and per day only at its ends) instead of one per day.
    Week,
}

impl Span {
    /// The widest slice with week rows: wider ones are filtered by most dimensions and
    /// read few rows a day anyway, and each slice kept per week costs the reactor a write.
    pub const WEEK_MAX_WIDTH: usize = 2;
    /// Before a week row's slice name (`week:agent_id`).
    const WEEK_PREFIX: &'static str = "week:";
}

/// The Monday of `day`'s week.
pub fn week_start(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

/// A row of the daily table: a day in the reporting zone (a week's Monday for a week
/// row) and a slice value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayKey {
    pub day: Date,
    pub span: Span,
    pub slice: Slice,
    pub value: String,
}

impl DayKey {
    /// The slice's stored name, `week:` before it for a week row.
    pub fn slice_name(&self) -> String {
        Slice::stored_name(self.slice, self.span)
    }
}

impl Slice {
    /// The name of the slice's rows of `span` as stored.
    pub fn stored_name(self, span: Span) -> String {
        match span {
            Span::Day => self.name(),
            Span::Week => format!("{}{}", Span::WEEK_PREFIX, self.name()),
        }
    }

    /// A stored name back, with its span.
    pub fn parse_stored(text: &str) -> Option<(Slice, Span)> {
        match text.strip_prefix(Span::WEEK_PREFIX) {
            Some(name) => Slice::parse(name)
                .filter(|slice| slice.width() <= Span::WEEK_MAX_WIDTH)
                .map(|slice| (slice, Span::Week)),
            None => Slice::parse(text).map(|slice| (slice, Span::Day)),
        }
    }
}

/// The rows of the daily table an hourly row adds to: its day in `zone` once per slice,
/// and its week once per slice kept by week.
pub fn day_keys(key: &RowKey, zone: &TimeZone) -> impl Iterator<Item = DayKey> {
    let day = zone.to_datetime(hour_start(key.hour)).date();
    let dims = key.dims;
    let days = Slice::kept().map(move |slice| DayKey {
        day,
        span: Span::Day,
        slice,
        value: slice.value_of(&dims),
    });
    let weeks = Slice::kept()
        .filter(|slice| slice.width() <= Span::WEEK_MAX_WIDTH)
        .map(move |slice| DayKey {
            day: week_start(day),
            span: Span::Week,
            slice,
            value: slice.value_of(&dims),
        });
    days.chain(weeks)
}

macro_rules! counters {
    ($($(#[$doc:meta])* $variant:ident = $column:literal,)+) => {
        /// The counters of a rollup row; each is a column of the same name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Counter { $($(#[$doc])* $variant,)+ }

        impl Counter {
            pub const ALL: &[Counter] = &[$(Counter::$variant,)+];
            pub fn column(self) -> &'static str {
                match self { $(Counter::$variant => $column,)+ }
            }
        }
    };
}

counters! {
    /// Tickets created (in the creation hour, with the creation's dimensions).
    Created = "created",
    /// Of those, complaints.
    Complaints = "complaints",
    /// Of the tickets created in this row, how many are resolved or closed now (a
    /// reopen takes one back): the resolution rate's numerator, by creation cohort.
    CreatedResolved = "created_resolved",
    /// Transfers of the tickets created in this row (by creation cohort).
    Transfers = "transfers",
    /// First public replies by a human agent (in the reply's hour, the replier's row).
    FirstResponses = "first_responses",
    FirstResponseMs = "first_response_ms",
    FirstResponseBusinessMs = "first_response_business_ms",
    /// Replies to a customer message after the first reply.
    NextResponses = "next_responses",
    NextResponseMs = "next_response_ms",
    /// Resolutions (a ticket resolved twice counts twice).
    Resolved = "resolved",
    ResolutionMs = "resolution_ms",
    ResolutionBusinessMs = "resolution_business_ms",
    /// Moves from resolved or closed back to work.
    Reopened = "reopened",
    /// Tickets resolved for the first time...
    FirstResolutions = "first_resolutions",
    /// ...of which resolved at the first contact (no transfer, no reopen, no repeat
    /// contact within 7 days; a later reopen or follow-up takes it back).
    FirstContactResolved = "first_contact_resolved",
    /// Public replies by human agents.
    AgentReplies = "agent_replies",
    FirstResponseMet = "sla_first_response_met",
    FirstResponseMissed = "sla_first_response_missed",
    NextResponseMet = "sla_next_response_met",
    NextResponseMissed = "sla_next_response_missed",
    ResolutionMet = "sla_resolution_met",
    ResolutionMissed = "sla_resolution_missed",
    ArrivalMet = "sla_arrival_met",
    ArrivalMissed = "sla_arrival_missed",
}

/// The duration distributions of a rollup row; each is a column of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SketchKind {
    FirstResponse,
    FirstResponseBusiness,
    NextResponse,
    Resolution,
    ResolutionBusiness,
}

impl SketchKind {
    pub const ALL: &[SketchKind] = &[
        SketchKind::FirstResponse,
        SketchKind::FirstResponseBusiness,
        SketchKind::NextResponse,
        SketchKind::Resolution,
        SketchKind::ResolutionBusiness,
    ];

    pub fn column(self) -> &'static str {
        match self {
            SketchKind::FirstResponse => "first_response_sketch",
            SketchKind::FirstResponseBusiness => "first_response_business_sketch",
            SketchKind::NextResponse => "next_response_sketch",
            SketchKind::Resolution => "resolution_sketch",
            SketchKind::ResolutionBusiness => "resolution_business_sketch",
        }
    }
}

/// A rollup row's values, or a change to them, or a sum of rows.
#[derive(Debug, Clone, Default)]
pub struct Delta {
    counts: Vec<i64>,
    sketches: Vec<Option<Durations>>,
}

impl Delta {
    pub fn get(&self, counter: Counter) -> i64 {
        self.counts.get(counter as usize).copied().unwrap_or(0)
    }

    pub fn add(&mut self, counter: Counter, n: i64) {
        if self.counts.is_empty() {
            self.counts = vec![0; Counter::ALL.len()];
        }
        self.counts[counter as usize] += n;
    }

    pub fn sketch(&self, kind: SketchKind) -> Option<&Durations> {
        self.sketches.get(kind as usize).and_then(Option::as_ref)
    }

    /// Records one duration: adds it to the sketch and to the counter holding the sum.
    pub fn add_duration(&mut self, kind: SketchKind, sum: Counter, ms: i64) {
        self.add(sum, ms.max(0));
        self.sketch_mut(kind).add_millis(ms);
    }

    pub fn set_sketch(&mut self, kind: SketchKind, sketch: Durations) {
        *self.sketch_mut(kind) = sketch;
    }

    fn sketch_mut(&mut self, kind: SketchKind) -> &mut Durations {
        if self.sketches.is_empty() {
            self.sketches = vec![None; SketchKind::ALL.len()];
        }
        self.sketches[kind as usize].get_or_insert_with(Durations::default)
    }

    /// Adds every counter and merges every sketch of `other`.
    pub fn merge(&mut self, other: &Delta) {
        for &counter in Counter::ALL {
            let n = other.get(counter);
            if n != 0 {
                self.add(counter, n);
            }
        }
        for &kind in SketchKind::ALL {
            if let Some(sketch) = other.sketch(kind) {
                self.sketch_mut(kind).merge(sketch);
            }
        }
    }

    /// Whether the delta changes nothing.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|n| *n == 0) && self.sketches.iter().all(Option::is_none)
    }
}

/// Rows added up as they are read: counters summed, stored sketches merged straight from
/// their bytes (see [`DurationsSum`]), then [`DeltaSum::finish`]ed into one [`Delta`].
#[derive(Default)]
pub struct DeltaSum {
    counts: Delta,
    sketches: Vec<DurationsSum>,
}

impl DeltaSum {
    pub fn add(&mut self, counter: Counter, n: i64) {
        self.counts.add(counter, n);
    }

    /// Adds a stored sketch of `kind`.
    pub fn add_encoded(&mut self, kind: SketchKind, bytes: &[u8]) {
        if self.sketches.is_empty() {
            self.sketches = vec![DurationsSum::default(); SketchKind::ALL.len()];
        }
        self.sketches[kind as usize].add_encoded(bytes);
    }

    pub fn finish(self) -> Delta {
        let mut delta = self.counts;
        for (&kind, sum) in SketchKind::ALL.iter().zip(self.sketches) {
            if let Some(sketch) = sum.finish() {
                delta.set_sketch(kind, sketch);
            }
        }
        delta
    }
}
