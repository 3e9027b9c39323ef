//! What every handler can reach.

use crate::ui::live::Viewers;
use crate::ui::render::RenderCache;
use kefu_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;
use std::sync::Arc;

/// The handlers' state. axum clones it for every request (and every middleware that
/// reads it), so it is one shared pointer: a clone is one reference count, not one per
/// pool, channel and cache inside [`App`] (those clones showed up in the create
/// benchmark's profile).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub app: App,
    pub metrics: PrometheusHandle,
    /// Who has which ticket page open (the UI's live presence).
    pub viewers: Arc<Viewers>,
    /// Sanitised message bodies, by message id.
    pub rendered: Arc<RenderCache>,
}

impl AppState {
    pub fn new(app: App, metrics: PrometheusHandle) -> Self {
        AppState(Arc::new(Shared {
            app,
            metrics,
            viewers: Arc::default(),
            rendered: Arc::default(),
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
