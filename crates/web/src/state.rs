//! What every handler can reach.

use crate::ui::live::Viewers;
use crate::ui::render::RenderCache;
use kefu_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: PrometheusHandle,
    /// Who has which ticket page open (the UI's live presence).
    pub viewers: Arc<Viewers>,
    /// Sanitised message bodies, by message id.
    pub rendered: Arc<RenderCache>,
}
