//! Calendars as people type them into a form: a weekday's hours as `09:00-12:00,
//! 13:30-18:00`, and holidays or extra working days one a line, `date [hours] name`:
//!
//! ```text
//! 2026-10-01 国庆节                  (closed all day)
//! 2026-12-24 12:00-24:00 平安夜       (closed only in the afternoon)
//! 2026-09-20 09:00-18:00 国庆节补班   (an extra working day, open these hours)
//! ```
//!
//! Each function is the inverse of its `*_text` partner, so a page shows what it stored.

use crate::calendar::DayInterval;
use crate::calendar_spec::{HolidaySpec, WorkingDaySpec};
use crate::error::FieldError;
use jiff::civil::Date;

/// Intervals separated by commas (either width), spaces or `;`; empty text is closed.
pub fn parse_hours(field: &str, text: &str) -> Result<Vec<DayInterval>, FieldError> {
    text.split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<DayInterval>()
                .map_err(|e| FieldError::new(field, e.code, format!("{part}: {}", e.message)))
        })
        .collect()
}

pub fn hours_text(hours: &[DayInterval]) -> String {
    hours.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// One line: its date, the intervals that follow it, and the rest as the name.
fn parse_line(field: &str, number: usize, line: &str) -> Result<(Date, Vec<DayInterval>, String), FieldError> {
    let error = |message: String| FieldError::new(field, "invalid_line", format!("line {number}: {message}"));
    let mut words = line.split_whitespace().peekable();
    let first = words.next().unwrap_or_default();
    let date: Date = first.parse().map_err(|_| error(format!("{first} is not a date (YYYY-MM-DD)")))?;
    let mut hours = Vec::new();
    while let Some(word) = words.peek() {
        if !word.starts_with(|c: char| c.is_ascii_digit()) || !word.contains(':') {
            break;
        }
        for part in word.split(',').filter(|p| !p.is_empty()) {
            hours.push(part.parse::<DayInterval>().map_err(|e| error(format!("{part}: {}", e.message)))?);
        }
        words.next();
    }
    Ok((date, hours, words.collect::<Vec<_>>().join(" ")))
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// Holidays, one a line: `date name` closes the whole day, `date hours name` only those
/// hours.
pub fn parse_holidays(field: &str, text: &str) -> Result<Vec<HolidaySpec>, FieldError> {
    lines(text)
        .map(|(number, line)| {
            let (date, closed, name) = parse_line(field, number, line)?;
            Ok(HolidaySpec { date, name, closed })
        })
        .collect()
}

pub fn holidays_text(holidays: &[HolidaySpec]) -> String {
    holidays
        .iter()
        .map(|h| line_text(h.date, &h.closed, &h.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Extra working days (调休), one a line: `date hours name`; the hours are required.
pub fn parse_working_days(field: &str, text: &str) -> Result<Vec<WorkingDaySpec>, FieldError> {
    lines(text)
        .map(|(number, line)| {
            let (date, hours, name) = parse_line(field, number, line)?;
            if hours.is_empty() {
                return Err(FieldError::new(
                    field,
                    "invalid_line",
                    format!("line {number}: give the opening hours after the date, e.g. 09:00-18:00"),
                ));
            }
            Ok(WorkingDaySpec { date, name, hours })
        })
        .collect()
}

pub fn working_days_text(days: &[WorkingDaySpec]) -> String {
    days.iter()
        .map(|d| line_text(d.date, &d.hours, &d.name))
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_text(date: Date, hours: &[DayInterval], name: &str) -> String {
    let hours = hours.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    [date.to_string(), hours, name.to_owned()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_with_any_separator_and_print_back() {
        let hours = parse_hours("monday", "09:00-12:00，13:30-18:00").unwrap();
        assert_eq!(hours_text(&hours), "09:00-12:00, 13:30-18:00");
        assert!(parse_hours("monday", "  ").unwrap().is_empty());
        let error = parse_hours("monday", "9-12").unwrap_err();
        assert_eq!(error.field, "monday");
        assert!(error.message.contains("9-12"), "{}", error.message);
    }

    #[test]
    fn holidays_are_whole_or_partial_days_with_names_of_several_words() {
        let text = "2026-10-01 国庆节\n\n  2026-12-24 12:00-24:00 Christmas Eve  \n2026-12-31 12:00-14:00,17:00-24:00";
        let holidays = parse_holidays("holidays", text).unwrap();
        assert_eq!(holidays.len(), 3);
        assert!(holidays[0].closed.is_empty() && holidays[0].name == "国庆节");
        assert_eq!((holidays[1].closed.len(), holidays[1].name.as_str()), (1, "Christmas Eve"));
        assert_eq!((holidays[2].closed.len(), holidays[2].name.as_str()), (2, ""));
        let printed = holidays_text(&holidays);
        assert_eq!(parse_holidays("holidays", &printed).unwrap(), holidays);
        assert_eq!(printed.lines().nth(1), Some("2026-12-24 12:00-24:00 Christmas Eve"));
    }

    #[test]
    fn a_bad_line_is_named_by_its_number() {
        let error = parse_holidays("holidays", "2026-10-01 国庆节\n2026-13-01 nonsense").unwrap_err();
        assert_eq!((error.field.as_str(), error.code), ("holidays", "invalid_line"));
        assert!(error.message.starts_with("line 2:"), "{}", error.message);
        let error = parse_holidays("holidays", "2026-10-01 25:00-26:00 x").unwrap_err();
        assert!(error.message.starts_with("line 1: 25:00-26:00"), "{}", error.message);
    }

    #[test]
    fn working_days_need_their_hours() {
        let days = parse_working_days("working_days", "2026-09-20 09:00-18:00 国庆节补班").unwrap();
        assert_eq!(days[0].hours.len(), 1);
        assert_eq!(working_days_text(&days), "2026-09-20 09:00-18:00 国庆节补班");
        let error = parse_working_days("working_days", "2026-09-20 补班").unwrap_err();
        assert!(error.message.contains("opening hours"), "{}", error.message);
    }
}
