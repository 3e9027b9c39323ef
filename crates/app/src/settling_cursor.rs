//! A reader's position in rows numbered by a database sequence (ticket events, customers,
//! survey answers) that must not skip a row committed after a larger number was read.
//!
//! On PostgreSQL two nodes' transactions commit in any order: event 100 can become
//! visible after event 101, so a reader that moved past 101 would never see 100. SQLite
//! has one writer, which commits in number order. The cursor remembers the rows it has
//! read after its settled position, each with the instant it first saw it (on the
//! reader's own clock, so other nodes' clocks do not matter), and moves that position
//! only over rows it first saw a settling time ago: by then a smaller number taken before
//! has been committed or rolled back. A reader reads from the settled position each time
//! and takes only the rows it has not read yet, so a late row is read as soon as it is
//! visible and nothing is read twice.

use kefu_domain::entities::Id;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SettlingCursor {
    /// Every row up to this number has been read, or will never come.
    settled: Id,
    /// The rows after `settled` already read, with when they were first seen.
    read: BTreeMap<Id, Instant>,
}

impl SettlingCursor {
    pub(crate) fn at(settled: Id) -> SettlingCursor {
        SettlingCursor {
            settled,
            read: BTreeMap::new(),
        }
    }

    /// The position to store: a restart reads again from here (at most the settling
    /// time's rows twice).
    pub(crate) fn settled(&self) -> Id {
        self.settled
    }

    /// Whether the row numbered `id` has been taken (or settled over).
    pub(crate) fn has_read(&self, id: Id) -> bool {
        id <= self.settled || self.read.contains_key(&id)
    }

    /// How many rows after [`Self::settled`] to read for up to `batch` new ones.
    pub(crate) fn read_limit(&self, batch: u32) -> u32 {
        batch.saturating_add(u32::try_from(self.read.len()).unwrap_or(u32::MAX))
    }

    /// Takes the rows read after [`Self::settled`] (in number order) at `now`: returns
    /// those not taken before, and moves the settled position over the leading rows first
    /// seen `settle` or longer ago (over all of them when `None`: a single writer leaves
    /// no row behind).
    pub(crate) fn take<T>(&mut self, rows: Vec<(Id, T)>, now: Instant, settle: Option<Duration>) -> Vec<T> {
        let mut settled = self.settled;
        let mut leading = true;
        let mut new = Vec::new();
        for (id, row) in rows {
            let first_seen = *self.read.entry(id).or_insert_with(|| {
                new.push(row);
                now
            });
            leading &= settle.is_none_or(|settle| now.duration_since(first_seen) >= settle);
            if leading {
                settled = id;
            }
        }
        self.settled = settled;
        self.read = self.read.split_off(&settled.saturating_add(1));
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLE: Option<Duration> = Some(Duration::from_secs(2));

    fn later(start: Instant, seconds: u64) -> Instant {
        start + Duration::from_secs(seconds)
    }

    #[test]
    fn a_gap_is_filled_when_the_row_commits_and_nothing_is_taken_twice() {
        let start = Instant::now();
        let mut cursor = SettlingCursor::at(0);
        // 2 is still committing on another node while 1 and 3 are read.
        assert_eq!(cursor.take(vec![(1, 1), (3, 3)], start, SETTLE), [1, 3]);
        assert_eq!(cursor.settled(), 0, "nothing settles at once");
        assert_eq!(cursor.read_limit(10), 12);
        // 2 commits a second later: read from the settled position again, only 2 is new.
        assert_eq!(cursor.take(vec![(1, 1), (2, 2), (3, 3)], later(start, 1), SETTLE), [2]);
        assert_eq!(cursor.settled(), 0);
        // Two seconds after 1 and 3 were first seen, 2 only one second: the position
        // moves over 1 alone and forgets it.
        let taken = cursor.take(vec![(1, 1), (2, 2), (3, 3), (4, 4)], later(start, 2), SETTLE);
        assert_eq!(taken, [4]);
        assert_eq!(cursor.settled(), 1);
        assert!(cursor.has_read(1) && cursor.has_read(3) && !cursor.has_read(5));
        // Later every row has been seen long enough.
        assert!(cursor.take(vec![(2, 2), (3, 3), (4, 4)], later(start, 5), SETTLE).is_empty());
        assert_eq!((cursor.settled(), cursor.read_limit(10)), (4, 10));
    }

    #[test]
    fn a_row_seen_late_holds_back_the_rows_after_it() {
        let start = Instant::now();
        let mut cursor = SettlingCursor::at(10);
        assert_eq!(cursor.take(vec![(11, 'a'), (12, 'b')], start, SETTLE), ['a', 'b']);
        // 13 is new at second 3: 11 and 12 settle, 13 waits its own two seconds.
        assert_eq!(cursor.take(vec![(11, 'a'), (12, 'b'), (13, 'c')], later(start, 3), SETTLE), ['c']);
        assert_eq!(cursor.settled(), 12);
        assert!(cursor.take(vec![(13, 'c')], later(start, 4), SETTLE).is_empty());
        assert_eq!(cursor.settled(), 12);
    }

    #[test]
    fn a_single_writer_settles_at_once() {
        let mut cursor = SettlingCursor::at(5);
        assert_eq!(cursor.take(vec![(6, 'a'), (7, 'b')], Instant::now(), None), ['a', 'b']);
        assert_eq!((cursor.settled(), cursor.read_limit(3)), (7, 3));
    }
}
