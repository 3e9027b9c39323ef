//! The inbox's live counts for one agent, read from the counters commands keep (see
//! `kefu_domain::inbox`): a few rows, never the ticket table.

use crate::error::AppResult;
use crate::{Actor, App};
use kefu_domain::inbox::CountKey;
use serde::Serialize;
use utoipa::ToSchema;

/// How many tickets each inbox view holds for the asking agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct InboxCounts {
    /// Unfinished tickets assigned to me.
    pub mine: i64,
    /// Unfinished unassigned tickets I may take: in my teams or in none (supervisors: all).
    pub unassigned: i64,
    /// Unfinished tickets I own that someone else, or nobody, holds.
    pub owned_by_others: i64,
    /// My tickets waiting on the customer.
    pub waiting: i64,
    /// Every unfinished ticket; supervisors only.
    pub all: Option<i64>,
    /// My open commitments (服务承诺), and how many of them are overdue.
    pub commitments: i64,
    pub commitments_overdue: i64,
}

impl App {
    pub async fn inbox_counts(&self, actor: &Actor) -> AppResult<InboxCounts> {
        let (rows, (commitments, commitments_overdue)) = tokio::try_join!(
            kefu_store::inbox_counts::counts_for_agent(self.db().read(), actor.id),
            kefu_store::commitments::open_commitment_count_of_agent(self.db().read(), actor.id),
        )?;
        let supervisor = actor.is_supervisor();
        let mut counts = InboxCounts {
            commitments,
            commitments_overdue,
            ..InboxCounts::default()
        };
        for (key, n) in rows {
            match key {
                CountKey::Assigned(agent) if agent == actor.id => counts.mine += n,
                CountKey::Waiting(agent) if agent == actor.id => counts.waiting += n,
                CountKey::OwnedByOthers(agent) if agent == actor.id => counts.owned_by_others += n,
                CountKey::Unassigned(team) if supervisor || team.is_none_or(|t| actor.teams.contains(&t)) => counts.unassigned += n,
                CountKey::Unfinished if supervisor => counts.all = Some(n),
                _ => {}
            }
        }
        Ok(counts)
    }
}

impl App {
    /// Every non-zero counter (for checks and tests).
    pub async fn all_inbox_counts(&self) -> AppResult<Vec<(CountKey, i64)>> {
        Ok(kefu_store::inbox_counts::all_counts(self.db().read()).await?)
    }

    /// Counts every inbox counter again from the tickets (derived data; after a restore
    /// or a bulk change made outside the commands).
    pub async fn rebuild_inbox_counts(&self) -> AppResult<()> {
        self.db()
            .write(|tx| Box::pin(async move { Ok::<_, crate::AppError>(kefu_store::inbox_counts::rebuild_inbox_counts(tx.exec()).await?) }))
            .await
    }
}
