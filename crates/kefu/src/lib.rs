//! Wiring: where the data lives, how the server starts and stops. `kefu serve` and the
//! tests start Kefu through [`start`], so the tests run exactly what ships.

use anyhow::Context;
use kefu_app::{App, AppConfig};
use kefu_store::{Db, Location};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tokio::net::TcpListener;

/// Where the database is: `KEFU_DATABASE_URL` if set, else `kefu.db` in the data dir.
pub fn location(data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<Location> {
    match database_url.filter(|u| !u.trim().is_empty()) {
        Some(url) => Location::from_url(url.trim()).map_err(anyhow::Error::msg),
        None => Ok(Location::SqliteFile(data_dir.join("kefu.db"))),
    }
}

/// Opens the database (running migrations) and builds the application with the settings
/// from the environment; the search index lives in `data_dir/search`.
pub async fn open(data_dir: &Path, location: &Location) -> anyhow::Result<App> {
    open_with(data_dir, location, config_from_env()?).await
}

/// [`open`] with the settings given (tests give each server its own mail settings).
pub async fn open_with(data_dir: &Path, location: &Location, mut config: AppConfig) -> anyhow::Result<App> {
    config.search_dir = Some(data_dir.join("search"));
    let db = Db::open(location)
        .await
        .with_context(|| format!("opening the database at {}", location.redacted()))?;
    App::start(db, config).await.context("loading the service configuration")
}

/// The use-case settings: defaults, then `KEFU_*` variables, validated here so a bad value
/// stops the start with a message instead of surprising later.
fn config_from_env() -> anyhow::Result<AppConfig> {
    let mut config = AppConfig::default();
    if let Ok(days) = std::env::var("KEFU_REOPEN_WINDOW_DAYS") {
        let days: i64 = days
            .trim()
            .parse()
            .ok()
            .filter(|d| (0..=365).contains(d))
            .context("KEFU_REOPEN_WINDOW_DAYS must be a whole number of days from 0 to 365")?;
        config.reopen_window = jiff::SignedDuration::from_hours(days * 24);
    }
    config.mail = mail_from_env()?;
    Ok(config)
}

/// Mail settings: `KEFU_SMTP_URL` turns mail on and then needs `KEFU_MAIL_FROM` and
/// `KEFU_PUBLIC_URL` (where customers open the links).
fn mail_from_env() -> anyhow::Result<Option<kefu_app::mail::MailSettings>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(smtp_url) = var("KEFU_SMTP_URL") else {
        return Ok(None);
    };
    let from = var("KEFU_MAIL_FROM")
        .context("KEFU_SMTP_URL is set: KEFU_MAIL_FROM (the sender, e.g. 客服 <support@example.com>) is needed too")?;
    let public_url = var("KEFU_PUBLIC_URL").context(
        "KEFU_SMTP_URL is set: KEFU_PUBLIC_URL (where customers open the links in mail, e.g. https://help.example.com) is needed too",
    )?;
    kefu_app::mail::MailSettings::parse(smtp_url.trim(), from.trim(), public_url.trim())
        .map(Some)
        .map_err(|e| anyhow::anyhow!("mail settings: {e}"))
}

/// The process-wide Prometheus recorder (installed once; tests start many servers).
pub fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; then ours just stays unused.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Serves the HTTP API on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish and closes the database (queued writes complete first).
pub async fn start(app: App, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    app.start_search().map_err(|e| anyhow::anyhow!("opening the search index: {e:?}"))?;
    let router = kefu_web::router(app.clone(), metrics());
    let scheduler = app.start_scheduler();
    app.start_mail();
    // One node's reactor is enough when several share a database (they take turns on the
    // cursor lock either way); `off` leaves the folding to the others.
    if std::env::var("KEFU_ANALYTICS_REACTOR").as_deref() != Ok("off") {
        app.start_analytics();
    }
    // Answers given before pair rollups existed; a long fill stops with the server.
    let survey_pairs = tokio::spawn({
        let app = app.clone();
        async move { app.fill_survey_pair_rollups().await }
    });
    // The peer address feeds the sign-in rate limit.
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")?;
    survey_pairs.abort();
    scheduler.stop().await;
    app.stop_mail().await;
    app.stop_search().await;
    app.stop_analytics().await;
    app.db().close().await;
    Ok(())
}

/// The default data directory.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("kefu-data")
}
