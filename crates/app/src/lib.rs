//! Kefu's use cases. Each command loads what it needs, asks the domain whether the change
//! is allowed, and writes the new state and its events in one transaction; after the
//! commit the events go on the bus. Web handlers, the CLI and later jobs all call these,
//! so every rule (authorization included) is enforced once, here.

pub mod actor;
pub mod analytics;
pub mod attachments;
pub mod audit;
pub mod automation;
pub mod branding;
pub mod bulk_update;
pub mod callbacks;
pub mod categories;
pub mod commitments;
pub mod custom_fields;
pub mod customer_portal;
pub mod customers;
pub mod deflection;
pub mod demo;
pub mod error;
pub mod hot_issues;
pub mod inbox;
mod intake;
pub mod knowledge;
pub mod leaderboard;
mod limits;
pub mod macros;
pub mod mail;
pub mod notifications;
pub mod passwords;
pub mod people;
pub mod policies;
pub mod portal;
mod reference;
pub mod relations;
mod routing;
pub mod saved_views;
pub mod scheduler;
pub mod search;
pub mod secrets;
mod settling_cursor;
pub mod sign_in;
mod sla;
pub mod staffing;
pub mod survey_loop;
mod survey_mail;
pub mod survey_report;
pub mod surveys;
pub mod ticket_workspace;
pub mod tickets;

pub use actor::Actor;
pub use error::{AppError, AppResult};

use jiff::{SignedDuration, Timestamp};
use kefu_domain::event::TicketEvent;
use kefu_store::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Settings the use cases depend on.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long after resolution a customer's message reopens a ticket.
    pub reopen_window: SignedDuration,
    /// How long a verified API token is trusted without asking the database again.
    pub token_cache_ttl: Duration,
    /// Where the search index lives (derived data, rebuilt when missing); `None` keeps
    /// it in memory.
    pub search_dir: Option<std::path::PathBuf>,
    /// Outbound mail; `None`: Kefu sends none and shows links on screen instead.
    pub mail: Option<mail::MailSettings>,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            reopen_window: kefu_domain::status::DEFAULT_REOPEN_WINDOW,
            token_cache_ttl: Duration::from_secs(10),
            search_dir: None,
            mail: None,
        }
    }
}

/// The application: the database, the event bus and the settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    db: Db,
    bus: broadcast::Sender<Arc<TicketEvent>>,
    config: Arc<AppConfig>,
    tokens: Arc<Mutex<HashMap<String, (Actor, Instant)>>>,
    intake: intake::Intake,
    engine: sla::EngineCache,
    router: routing::Router,
    sign_in_limiter: Arc<sign_in::SignInLimiter>,
    portal_limits: Arc<portal::PortalLimits>,
    sessions: Arc<sign_in::SessionCache>,
    search: search::SearchHandle,
    analytics: analytics::AnalyticsHandle,
    /// The survey-link signing key, read from the database on first use.
    survey_key: Arc<tokio::sync::OnceCell<Arc<Vec<u8>>>>,
    /// The public pages' look, read again every few seconds.
    branding: Arc<branding::BrandingCache>,
    mail_sender: Arc<mail::MailHandle>,
    customer_sign_in_limits: Arc<customer_portal::CustomerSignInLimits>,
    /// Agents, teams, categories, custom fields and macros, kept between reads.
    lists: Arc<reference::ReferenceLists>,
}

impl App {
    /// Builds the application; starts its background tasks, so call it inside a Tokio
    /// runtime.
    pub fn new(db: Db, config: AppConfig) -> Self {
        let (bus, _) = broadcast::channel(4096);
        let engine = sla::EngineCache::new();
        let intake = intake::Intake::start(db.clone(), engine.clone());
        let (router, kicks) = App::router_channel();
        let app = App {
            db,
            bus,
            config: Arc::new(config),
            tokens: Arc::default(),
            intake,
            engine,
            router,
            sign_in_limiter: Arc::default(),
            portal_limits: Arc::default(),
            sessions: Arc::default(),
            search: search::SearchHandle::default(),
            analytics: analytics::AnalyticsHandle::default(),
            survey_key: Arc::default(),
            branding: Arc::default(),
            mail_sender: Arc::default(),
            customer_sign_in_limits: Arc::default(),
            lists: Arc::default(),
        };
        tokio::spawn(app.clone().run_router(kicks));
        app
    }

    /// Builds the application and loads its service configuration (SLA policies,
    /// calendars, rules) from the store.
    pub async fn start(db: Db, config: AppConfig) -> AppResult<Self> {
        let app = App::new(db, config);
        app.reload_engine().await?;
        Ok(app)
    }

    /// Reads the service configuration again (after an admin changed it, or periodically
    /// when several nodes share a database).
    pub async fn reload_engine(&self) -> AppResult<()> {
        let engine = sla::Engine::load(self.db.read()).await?;
        self.engine.set(engine);
        Ok(())
    }

    pub(crate) fn engine(&self) -> Arc<sla::Engine> {
        self.engine.get()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Every ticket event, after its transaction committed. A slow subscriber that falls
    /// more than the channel's capacity behind is told it lagged and must catch up from
    /// the store.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<TicketEvent>> {
        self.bus.subscribe()
    }

    fn publish(&self, events: Vec<TicketEvent>) {
        self.publish_with(events, 0, None);
    }

    /// Publishes committed events that `depth` rule runs led to, and hands them to the
    /// automation rules.
    fn publish_at_depth(&self, events: Vec<TicketEvent>, depth: u8) {
        self.publish_with(events, depth, None);
    }

    /// [`publish_at_depth`](Self::publish_at_depth) with the ticket as the command left it,
    /// so rules that cannot match cost nothing.
    fn publish_with(&self, events: Vec<TicketEvent>, depth: u8, context: Option<automation::RuleContext<'_>>) {
        metrics::counter!("kefu_ticket_events_total").increment(events.len() as u64);
        self.run_rules_after(&events, depth, context);
        for event in events {
            // No subscriber is not an error: the events are in the store.
            let _ = self.bus.send(Arc::new(event));
        }
    }

    /// The agent an API token belongs to. Verified tokens are cached briefly, so the hot
    /// path does not read the database on every request; a revoked token or changed role
    /// takes effect within `token_cache_ttl`.
    pub async fn authenticate_token(&self, token: &str) -> AppResult<Actor> {
        let hash = secrets::token_hash(token);
        if let Some((actor, at)) = self
            .tokens
            .lock()
            .map_err(|_| AppError::Internal("token cache poisoned".into()))?
            .get(&hash)
            && at.elapsed() < self.config.token_cache_ttl
        {
            return Ok(actor.clone());
        }
        let agent_id = kefu_store::people::agent_by_token(self.db.read(), &hash)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let agent = kefu_store::people::agent_by_id(self.db.read(), agent_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let actor = Actor::of(&agent);
        let mut cache = self.tokens.lock().map_err(|_| AppError::Internal("token cache poisoned".into()))?;
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(hash, (actor.clone(), Instant::now()));
        Ok(actor)
    }
}

/// The clock all commands read. One place, so tests and the demo can reason about time.
/// Whole milliseconds, as the store keeps them: SLA clocks replayed from stored events
/// must land on exactly the instants the live command computed.
pub(crate) fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now)
}
