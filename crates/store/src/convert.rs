//! The edge between rows and domain values: milliseconds to timestamps, JSON text to
//! maps and lists, wire names to enums. A value that does not parse is reported as
//! corrupt data rather than guessed at.

use crate::error::{StoreError, StoreResult, corrupt};
use jiff::Timestamp;
use serde_json::{Map, Value};

pub(crate) fn ts(ms: i64) -> StoreResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|_| corrupt("timestamp", &ms.to_string()))
}

pub(crate) fn opt_ts(ms: Option<i64>) -> StoreResult<Option<Timestamp>> {
    ms.map(ts).transpose()
}

pub(crate) fn ms(at: Timestamp) -> i64 {
    at.as_millisecond()
}

pub(crate) fn json_map(text: &str) -> StoreResult<Map<String, Value>> {
    serde_json::from_str(text).map_err(|_| corrupt("json object", text))
}

pub(crate) fn json_list(text: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text).map_err(|_| corrupt("json list", text))
}

pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Parses a stored wire name with the domain's parser for that enum.
pub(crate) fn wire<T>(parse: fn(&str, &str) -> Result<T, kefu_domain::FieldError>, what: &str, text: &str) -> StoreResult<T> {
    parse(what, text).map_err(|_| corrupt(what, text))
}

pub(crate) fn parsed<T, E>(result: Result<T, E>, what: &str, text: &str) -> Result<T, StoreError> {
    result.map_err(|_| corrupt(what, text))
}
