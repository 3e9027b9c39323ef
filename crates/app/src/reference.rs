//! The department's slow-changing lists (agents, teams, categories, custom fields,
//! macros), kept per node. The ticket page and most admin pages show all of them; reading
//! them from the store on every page cost five round trips for rows that change a few
//! times a day.
//!
//! Freshness: a change made through this node empties its list as soon as the change has
//! committed, so the next read (the change's own redirect included) sees it. Another node's
//! change is seen once the list is older than [`FRESH_FOR`], as with the branding and the
//! SLA engine.

use kefu_domain::category::Category;
use kefu_domain::custom_field::CustomField;
use kefu_domain::entities::{Agent, Team};
use kefu_domain::service::Macro;
use kefu_store::StoreResult;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a list read from the store is served without reading it again.
const FRESH_FOR: Duration = Duration::from_secs(5);

/// One cached list.
pub(crate) struct CachedList<T> {
    slot: Mutex<Slot<T>>,
}

struct Slot<T> {
    /// Counts the changes; a read that began before a change must not be kept after it.
    generation: u64,
    value: Option<(Instant, Arc<Vec<T>>)>,
}

impl<T> Default for CachedList<T> {
    fn default() -> Self {
        CachedList {
            slot: Mutex::new(Slot {
                generation: 0,
                value: None,
            }),
        }
    }
}

impl<T> CachedList<T> {
    fn lock(&self) -> MutexGuard<'_, Slot<T>> {
        // The slot holds plain data that is always whole: a panic elsewhere cannot leave
        // it half-written, so a poisoned lock is still good to use.
        self.slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The list, from the cache while it is fresh, else from `load`.
    pub(crate) async fn get<F>(&self, load: F) -> StoreResult<Arc<Vec<T>>>
    where
        F: Future<Output = StoreResult<Vec<T>>>,
    {
        let generation = {
            let slot = self.lock();
            if let Some((read_at, list)) = &slot.value
                && read_at.elapsed() < FRESH_FOR
            {
                return Ok(list.clone());
            }
            slot.generation
        };
        let list = Arc::new(load.await?);
        let mut slot = self.lock();
        // A change committed while we read: what we read may predate it; serve it to this
        // caller (it asked before the change was acknowledged) but do not keep it.
        if slot.generation == generation {
            slot.value = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }

    /// Forgets the list; call once a change to it has been tried, whether or not it
    /// committed (an extra read is cheaper than a doubt).
    pub(crate) fn invalidate(&self) {
        let mut slot = self.lock();
        slot.generation += 1;
        slot.value = None;
    }
}

/// Every cached list of the node.
#[derive(Default)]
pub(crate) struct ReferenceLists {
    pub(crate) agents: CachedList<Agent>,
    pub(crate) teams: CachedList<Team>,
    pub(crate) categories: CachedList<Category>,
    pub(crate) custom_fields: CachedList<CustomField>,
    pub(crate) macros: CachedList<Macro>,
}

impl ReferenceLists {
    /// Forgets every list (after a bulk change such as filling the demo).
    pub(crate) fn invalidate_all(&self) {
        self.agents.invalidate();
        self.teams.invalidate();
        self.categories.invalidate();
        self.custom_fields.invalidate();
        self.macros.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn counting_load(reads: &AtomicUsize, value: u32) -> StoreResult<Vec<u32>> {
        reads.fetch_add(1, Ordering::SeqCst);
        Ok(vec![value])
    }

    #[tokio::test]
    async fn a_fresh_list_is_read_once_and_a_change_reads_it_again() {
        let cache = CachedList::<u32>::default();
        let reads = AtomicUsize::new(0);
        assert_eq!(*cache.get(counting_load(&reads, 1)).await.unwrap(), vec![1]);
        assert_eq!(*cache.get(counting_load(&reads, 2)).await.unwrap(), vec![1]);
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        cache.invalidate();
        assert_eq!(*cache.get(counting_load(&reads, 3)).await.unwrap(), vec![3]);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_read_overtaken_by_a_change_is_not_kept() {
        let cache = CachedList::<u32>::default();
        let reads = AtomicUsize::new(0);
        // The change commits while the read is under way: the read's rows are served to
        // its caller but the next caller reads again.
        let stale = cache
            .get(async {
                cache.invalidate();
                Ok(vec![1])
            })
            .await
            .unwrap();
        assert_eq!(*stale, vec![1]);
        assert_eq!(*cache.get(counting_load(&reads, 2)).await.unwrap(), vec![2]);
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_read_keeps_nothing() {
        let cache = CachedList::<u32>::default();
        let failed = cache.get(async { Err(kefu_store::StoreError::Conflict("busy".into())) }).await;
        assert!(failed.is_err());
        let reads = AtomicUsize::new(0);
        assert_eq!(*cache.get(counting_load(&reads, 5)).await.unwrap(), vec![5]);
    }
}
