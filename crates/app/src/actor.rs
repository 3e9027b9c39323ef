//! Who is asking, and what they may do. Every use case takes an [`Actor`]; the checks
//! here are the only place roles are interpreted.

use crate::error::{AppError, AppResult};
use kefu_domain::entities::{Agent, Id, Ticket};
use kefu_domain::enums::Role;
use kefu_domain::query::Visibility;

/// A signed-in agent, as far as permissions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Id,
    pub role: Role,
    pub teams: Vec<Id>,
}

impl Actor {
    pub fn of(agent: &Agent) -> Self {
        Actor {
            id: agent.id,
            role: agent.role,
            teams: agent.teams.clone(),
        }
    }

    /// Supervisors and admins see and steer every ticket.
    pub fn is_supervisor(&self) -> bool {
        matches!(self.role, Role::Supervisor | Role::Admin)
    }

    pub fn visibility(&self) -> Visibility {
        if self.is_supervisor() {
            Visibility::All
        } else {
            Visibility::Agent {
                id: self.id,
                teams: self.teams.clone(),
            }
        }
    }

    /// Whether this actor may see (and so work on) `ticket`.
    pub fn can_see(&self, ticket: &Ticket) -> bool {
        self.is_supervisor()
            || ticket.team_id.is_none_or(|team| self.teams.contains(&team))
            || ticket.assignee_id == Some(self.id)
            || ticket.owner_id == Some(self.id)
    }

    pub fn require_visible(&self, ticket: &Ticket) -> AppResult<()> {
        if self.can_see(ticket) {
            Ok(())
        } else {
            Err(AppError::Forbidden("this ticket belongs to a team you are not in"))
        }
    }

    pub fn require_supervisor(&self, what: &'static str) -> AppResult<()> {
        if self.is_supervisor() {
            Ok(())
        } else {
            Err(AppError::Forbidden(what))
        }
    }

    pub fn require_admin(&self, what: &'static str) -> AppResult<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(what))
        }
    }
}
