//! What every handler can reach.

use crate::ui::live::Viewers;
use kefu_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: PrometheusHandle,
    /// Who has which ticket page open (the UI's live presence).
    pub viewers: Arc<Viewers>,
}
