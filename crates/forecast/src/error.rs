//! The crate's error type.

use thiserror::Error;

/// Why a forecast or a backtest could not be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ForecastError {
    /// The history is shorter than the method needs (one week for the
    /// seasonal-naive fallback, two weeks for the full model; a backtest needs
    /// this much before its earliest origin).
    #[error("need at least {needed} hours of history, got {got}")]
    InsufficientHistory {
        /// Hours needed.
        needed: usize,
        /// Hours given.
        got: usize,
    },
    /// A history value is negative or infinite (or, for a backtest, NaN).
    #[error("invalid value {value} at hour {index}: counts must be finite and non-negative")]
    InvalidValue {
        /// Position in the history.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The interval level is not strictly between 0 and 1.
    #[error("interval level must be strictly between 0 and 1, got {0}")]
    InvalidLevel(f64),
    /// The default holiday factor is negative or not finite.
    #[error("holiday factor must be finite and non-negative, got {0}")]
    InvalidHolidayFactor(f64),
    /// A holiday mask does not have one entry per hour of what it describes.
    #[error("{which} holiday mask has {got} entries, expected {expected}")]
    MaskLength {
        /// `"history"` or `"horizon"`.
        which: &'static str,
        /// Entries expected.
        expected: usize,
        /// Entries given.
        got: usize,
    },
    /// A backtest was asked for zero origins, a zero horizon or a zero step.
    #[error("backtest needs origins, horizon and step of at least 1")]
    EmptyBacktest,
}
