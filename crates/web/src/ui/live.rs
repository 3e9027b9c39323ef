//! Live ticket pages: a Server-Sent Events stream per open ticket page. It says
//! `changed` when the ticket's events arrive on the bus (the page then fetches the parts
//! that show state, leaving the editor and every form the agent may be filling alone), and `viewers` when someone opens or leaves
//! the same ticket, so two agents never work on it unaware of each other.
//!
//! Who is viewing is kept in this process's memory: with several nodes, each node shows
//! the viewers connected to it (until the bus between nodes carries presence too).

use super::i18n::{Lang, Tr};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use kefu_domain::entities::{Id, TicketNumber};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Who has which ticket open, and a signal when that changes.
pub struct Viewers {
    open: Mutex<HashMap<TicketNumber, Vec<Viewer>>>,
    changed: broadcast::Sender<TicketNumber>,
    next_id: AtomicU64,
}

#[derive(Clone)]
struct Viewer {
    connection: u64,
    agent_id: Id,
    name: String,
}

impl Default for Viewers {
    fn default() -> Self {
        Viewers {
            open: Mutex::default(),
            changed: broadcast::channel(1024).0,
            next_id: AtomicU64::new(1),
        }
    }
}

impl Viewers {
    fn join(self: &Arc<Self>, number: TicketNumber, agent_id: Id, name: String) -> ViewerGuard {
        let connection = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut open) = self.open.lock() {
            open.entry(number).or_default().push(Viewer {
                connection,
                agent_id,
                name,
            });
        }
        let _ = self.changed.send(number);
        ViewerGuard {
            viewers: self.clone(),
            number,
            connection,
        }
    }

    /// The names of the other agents viewing the ticket (each once).
    fn others(&self, number: TicketNumber, agent_id: Id) -> Vec<String> {
        let Ok(open) = self.open.lock() else { return Vec::new() };
        let mut names: Vec<String> = open
            .get(&number)
            .into_iter()
            .flatten()
            .filter(|v| v.agent_id != agent_id)
            .map(|v| v.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Leaves the ticket when the stream ends (the page closed or navigated away).
struct ViewerGuard {
    viewers: Arc<Viewers>,
    number: TicketNumber,
    connection: u64,
}

impl Drop for ViewerGuard {
    fn drop(&mut self) {
        if let Ok(mut open) = self.viewers.open.lock()
            && let Some(list) = open.get_mut(&self.number)
        {
            list.retain(|v| v.connection != self.connection);
            if list.is_empty() {
                open.remove(&self.number);
            }
        }
        let _ = self.viewers.changed.send(self.number);
    }
}

#[derive(Template)]
#[template(path = "viewers.html")]
struct ViewersFragment {
    label: String,
    names: Vec<String>,
}

fn viewers_event(viewers: &Viewers, number: TicketNumber, agent_id: Id, tr: Tr) -> Event {
    let fragment = ViewersFragment {
        label: tr.t("ticket.also_viewing"),
        names: viewers.others(number, agent_id),
    };
    // One line (a newline would split the data field), and never empty: browsers drop
    // an event without data, and "nobody else" must reach the page too.
    let html = fragment.render().unwrap_or_default().replace('\n', "");
    Event::default().event("viewers").data(html)
}

pub async fn stream(State(state): State<AppState>, lang: Lang, session: Session, Path(number): Path<TicketNumber>) -> Response {
    let actor = session.0.actor.clone();
    // The same visibility as the page: no stream for a ticket the agent may not see.
    if let Err(error) = state.app.ticket_header(&actor, number).await {
        return super::pages::UiError::from(error).fragment(lang);
    }
    let events = state.app.subscribe();
    let changes = state.viewers.changed.subscribe();
    let guard = state.viewers.join(number, actor.id, session.0.agent.name.clone());
    let first = viewers_event(&state.viewers, number, actor.id, Tr(lang));
    let live = LiveState {
        events,
        changes,
        viewers: state.viewers.clone(),
        number,
        agent_id: actor.id,
        tr: Tr(lang),
        pending: Some(first),
        _guard: guard,
    };
    Sse::new(live_stream(live))
        // A closed page is noticed on the next write, so the pings also bound how long
        // an agent who left still shows as viewing.
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(5)))
        .into_response()
}

struct LiveState {
    events: broadcast::Receiver<Arc<kefu_domain::event::TicketEvent>>,
    changes: broadcast::Receiver<TicketNumber>,
    viewers: Arc<Viewers>,
    number: TicketNumber,
    agent_id: Id,
    tr: Tr,
    pending: Option<Event>,
    _guard: ViewerGuard,
}

fn live_stream(state: LiveState) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(state, |mut state| async move {
        if let Some(event) = state.pending.take() {
            return Some((Ok(event), state));
        }
        loop {
            tokio::select! {
                received = state.events.recv() => match received {
                    Ok(event) if event.ticket_number == state.number => {
                        return Some((Ok(Event::default().event("changed").data(event.kind.as_str())), state));
                    }
                    Ok(_) => {}
                    // Missed some: the page refreshes, which is always right.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Ok(Event::default().event("changed").data("lagged")), state));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                changed = state.changes.recv() => match changed {
                    Ok(number) if number == state.number => {
                        let event = viewers_event(&state.viewers, state.number, state.agent_id, state.tr);
                        return Some((Ok(event), state));
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    })
}
