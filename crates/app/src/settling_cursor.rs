//! A reader's position in rows numbered by a database sequence (ticket events, customers,
//! survey answers) that must not skip a row committed after a larger number was read.
//!
//! On PostgreSQL two nodes' transactions commit in any order: event 100 can become
//! visible after event 101, so a reader that moved past 101 would never see 100. SQLite
//! has one writer, which commits in number order. The cursor keeps what it has read after
//! its settled position and moves that position only over rows older than a settling time
//! (`analytics::SETTLE`): by then an earlier number has been committed or rolled back. A
//! reader reads from the settled position each time and takes only the rows it has not
//! read yet, so a late row is read as soon as it is visible and nothing is read twice.

use jiff::Timestamp;
use kefu_domain::entities::Id;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SettlingCursor {
    /// Every row up to this number has been read, or will never come.
    settled: Id,
    /// The rows after `settled` already read.
    read: BTreeSet<Id>,
}

impl SettlingCursor {
    pub(crate) fn at(settled: Id) -> SettlingCursor {
        SettlingCursor {
            settled,
            read: BTreeSet::new(),
        }
    }

    /// The position to store: a restart reads again from here (at most the settling
    /// time's rows twice).
    pub(crate) fn settled(&self) -> Id {
        self.settled
    }

    /// Whether the row numbered `id` has been taken (or settled over).
    pub(crate) fn has_read(&self, id: Id) -> bool {
        id <= self.settled || self.read.contains(&id)
    }

    /// How many rows after [`Self::settled`] to read for up to `batch` new ones.
    pub(crate) fn read_limit(&self, batch: u32) -> u32 {
        batch.saturating_add(u32::try_from(self.read.len()).unwrap_or(u32::MAX))
    }

    /// Takes the rows read after [`Self::settled`] (in number order, each with the instant
    /// it was written): returns those not taken before, and moves the settled position
    /// over the leading rows written before `settled_before` (over all of them when
    /// `None`: a single writer leaves no row behind).
    pub(crate) fn take<T>(&mut self, rows: Vec<(Id, Timestamp, T)>, settled_before: Option<Timestamp>) -> Vec<T> {
        let mut settled = self.settled;
        let mut leading = true;
        let mut new = Vec::new();
        for (id, at, row) in rows {
            leading &= settled_before.is_none_or(|before| at < before);
            if leading {
                settled = id;
            }
            if self.read.insert(id) {
                new.push(row);
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

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + second).unwrap()
    }

    #[test]
    fn a_row_committed_late_is_taken_when_it_shows_and_nothing_twice() {
        let mut cursor = SettlingCursor::at(99);
        // 101 and 102 are visible, 100 is not yet: only rows older than second 10 settle.
        let taken = cursor.take(vec![(101, at(9), "b"), (102, at(11), "c")], Some(at(10)));
        assert_eq!(taken, ["b", "c"]);
        // 101 settled the position (100, written before it, has had the settling time);
        // 102 is remembered as read.
        assert_eq!(cursor.settled(), 101);
        assert_eq!(cursor.read_limit(10), 11);
        // Later 103 arrives and 102 is read again from the settled position: only 103 is new.
        let taken = cursor.take(vec![(102, at(11), "c"), (103, at(12), "d")], Some(at(11)));
        assert_eq!(taken, ["d"]);
        assert_eq!(cursor.settled(), 101, "102 is not older than the settling instant");
    }

    #[test]
    fn a_gap_inside_the_settling_time_is_filled_when_the_row_commits() {
        let mut cursor = SettlingCursor::at(0);
        // 2 is in flight on another node while 1 and 3 are read.
        assert_eq!(cursor.take(vec![(1, at(1), 1), (3, at(3), 3)], Some(at(0))), [1, 3]);
        assert_eq!(cursor.settled(), 0);
        // 2 commits: read from the settled position again, only 2 is new.
        assert_eq!(cursor.take(vec![(1, at(1), 1), (2, at(2), 2), (3, at(3), 3)], Some(at(0))), [2]);
        // Once all are older than the settling instant the position moves over them and
        // forgets them.
        assert!(
            cursor
                .take(vec![(1, at(1), 1), (2, at(2), 2), (3, at(3), 3)], Some(at(5)))
                .is_empty()
        );
        assert_eq!(cursor.settled(), 3);
        assert_eq!(cursor.read_limit(10), 10);
    }

    #[test]
    fn a_single_writer_settles_at_once() {
        let mut cursor = SettlingCursor::at(5);
        assert_eq!(cursor.take(vec![(6, at(0), 'a'), (7, at(100), 'b')], None), ['a', 'b']);
        assert_eq!((cursor.settled(), cursor.read_limit(3)), (7, 3));
    }
}
