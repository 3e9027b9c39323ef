//! The web UI: server-rendered pages (askama) made live with htmx. Handlers here do what
//! the API's do: parse, call a use case, render. Signed-in pages sit behind
//! [`session::require_session`], which also guards every form against cross-site use.

mod account;
mod admin;
mod admin_audit;
mod admin_calendars;
mod admin_categories;
mod admin_fields;
mod admin_rules;
mod admin_surveys;
mod admin_teams;
mod analytics;
mod assets;
mod branding;
mod callbacks;
mod customer;
mod help;
mod hot_issues;
pub mod i18n;
mod inbox;
mod kb;
mod leaderboard;
pub mod live;
mod notifications;
mod pages;
mod portal;
mod portal_account;
pub mod render;
mod satisfaction;
mod search;
mod session;
mod survey;
mod ticket;

use crate::state::AppState;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use std::convert::Infallible;
use tower_http::set_header::SetResponseHeaderLayer;

/// Scripts only from our own origin (no inline scripts, no eval): the CSP is what stops
/// an injected `<script>` even if escaping were ever missed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn routes(state: AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/inbox", get(inbox::inbox))
        .route("/inbox/tabs", get(inbox::tabs_fragment))
        .route("/inbox/commitments", get(inbox::commitments))
        .route("/inbox/bulk", post(inbox::bulk))
        .route("/inbox/filter", get(inbox::filter))
        .route("/inbox/views", post(inbox::save_view))
        .route("/inbox/views/{id}/delete", post(inbox::delete_view))
        .route("/search", get(search::page))
        .route("/kb", get(kb::list).post(kb::create))
        .route("/kb/new", get(kb::new_form))
        .route("/kb/preview", post(kb::preview))
        .route("/kb/{id}", get(help::agent_view))
        .route("/kb/{id}/edit", get(kb::edit_form).post(kb::update))
        .route("/kb/{id}/status", post(kb::set_status))
        .route("/kb/{id}/versions", get(kb::versions))
        .route("/kb/{id}/versions/{version}/restore", post(kb::restore))
        .route("/customers/{id}", get(customer::page))
        .route("/tickets/{number}", get(ticket::page))
        .route("/tickets/{number}/live", get(live::stream))
        .route(
            "/tickets/{number}/messages",
            post(ticket::add_message).layer(crate::upload::upload_body_limit()),
        )
        .route("/tickets/{number}/attachments/{id}", get(ticket::attachment))
        .route("/tickets/{number}/macro", post(ticket::insert_macro))
        .route("/tickets/{number}/articles", get(ticket::suggested_articles))
        .route(
            "/tickets/{number}/surveys",
            get(satisfaction::ticket_surveys).post(satisfaction::send_survey),
        )
        .route("/dashboard", get(analytics::dashboard))
        .route("/dashboard/live", get(analytics::dashboard_live))
        .route("/reports/kpis", get(analytics::kpi_report))
        .route("/reports/kpis.csv", get(analytics::kpi_export))
        .route("/reports/staffing", get(analytics::staffing))
        .route("/reports/staffing.csv", get(analytics::staffing_export))
        .route("/reports/hot.csv", get(hot_issues::export))
        .route("/reports/hot", get(hot_issues::page))
        .route("/reports/leaderboard", get(leaderboard::page))
        .route("/reports/leaderboard.csv", get(leaderboard::export))
        .route("/reports/satisfaction", get(satisfaction::report))
        .route("/callbacks", get(callbacks::list))
        .route("/callbacks/campaigns", post(callbacks::create_campaign))
        .route("/callbacks/{id}", get(callbacks::call))
        .route("/callbacks/{id}/answers", post(callbacks::answer))
        .route("/callbacks/{id}/attempts", post(callbacks::attempt))
        .route("/reports/satisfaction/answers.csv", get(satisfaction::export))
        .route("/reports/satisfaction/actions", post(satisfaction::create_action))
        .route("/reports/satisfaction/actions/{id}/done", post(satisfaction::action_done))
        .route("/praise", get(satisfaction::praise_wall))
        .route("/admin/surveys", get(admin_surveys::surveys))
        .route("/admin/surveys/triggers", post(admin_surveys::save_trigger))
        .route("/admin/surveys/designs", post(admin_surveys::new_design))
        .route(
            "/admin/surveys/designs/{key}",
            get(admin_surveys::design).post(admin_surveys::save_design),
        )
        .route("/tickets/{number}/articles/{id}/insert", post(ticket::insert_article))
        .route("/tickets/{number}/messages/{id}/article", post(ticket::reply_to_article))
        .route("/tickets/{number}/merge", post(ticket::merge))
        .route("/tickets/{number}/links", post(ticket::link))
        .route("/tickets/{number}/links/{other}/delete", post(ticket::unlink))
        .route("/tickets/{number}/take", post(ticket::take))
        .route("/tickets/{number}/assign", post(ticket::assign))
        .route("/tickets/{number}/transfer", post(ticket::transfer))
        .route("/tickets/{number}/status", post(ticket::set_status))
        .route("/tickets/{number}/classify", post(ticket::classify))
        .route("/tickets/{number}/fields", post(ticket::set_fields))
        .route("/tickets/{number}/commitments", post(ticket::make_commitment))
        .route("/tickets/{number}/commitments/{id}", post(ticket::resolve_commitment))
        .route("/notifications", get(notifications::page))
        .route("/notifications/badge", get(notifications::badge))
        .route("/notifications/read", post(notifications::mark_all_read))
        .route("/presence", post(account::set_presence))
        .route("/account/sessions", get(account::sessions))
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route("/account/password", get(account::password_form).post(account::change_password))
        .route("/logout", post(account::logout))
        .route("/admin/sla-policies", get(admin::policies).post(admin::create_policy))
        .route("/admin/sla-policies/{id}/active", post(admin::set_policy_active))
        .route("/admin/sla-policies/{id}/delete", post(admin::delete_policy))
        .route("/admin/macros", get(admin::macros).post(admin::create_macro))
        .route("/admin/macros/{id}/delete", post(admin::delete_macro))
        .route("/admin/agents", get(admin::agents).post(admin::invite))
        .route("/admin/agents/{id}", post(admin::update_agent))
        .route("/admin/audit", get(admin_audit::page))
        .route("/admin/teams", get(admin_teams::page).post(admin_teams::create))
        .route("/admin/teams/{id}", post(admin_teams::update))
        .route("/admin/categories", get(admin_categories::page).post(admin_categories::create))
        .route("/admin/calendars", get(admin_calendars::page).post(admin_calendars::create))
        .route("/admin/rules", get(admin_rules::page).post(admin_rules::create))
        .route("/admin/fields", get(admin_fields::page).post(admin_fields::create))
        .route("/admin/fields/{key}", post(admin_fields::update))
        .route("/admin/rules/{id}", post(admin_rules::update))
        .route("/admin/rules/{id}/delete", post(admin_rules::delete))
        .route("/admin/calendars/{id}", post(admin_calendars::update))
        .route("/admin/calendars/{id}/delete", post(admin_calendars::delete))
        .route(
            "/admin/calendars/{id}/holidays",
            post(admin_calendars::import).layer(crate::upload::upload_body_limit()),
        )
        .route("/admin/categories/{code}", post(admin_categories::update))
        .route(
            "/admin/branding",
            get(branding::page).post(branding::save).layer(crate::upload::upload_body_limit()),
        )
        .route("/admin/agents/{id}/password-link", post(admin::password_link))
        .route_layer(middleware::from_fn_with_state(state, session::require_session))
        // Signed-in pages are private and live: never stored, never shown from the
        // back/forward cache (which would also keep a left ticket's live stream open).
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let public = Router::new()
        .route("/", get(|| async { Redirect::to("/inbox") }))
        .route("/login", get(account::login_page).post(account::login))
        .route("/lang/{code}", get(account::set_language))
        .route("/password/{token}", get(account::link_form).post(account::set_by_link))
        .route("/help", get(help::home))
        .route("/help/search", get(help::search))
        .route("/help/c/{*path}", get(help::category))
        .route("/help/articles/{id}/feedback", post(help::feedback))
        .route("/help/{locale}/{slug}", get(help::article))
        .route("/sitemap.xml", get(help::sitemap))
        .route(
            "/portal",
            get(portal::form).post(portal::submit).layer(crate::upload::upload_body_limit()),
        )
        .route("/portal/suggest", get(portal::suggest))
        .route("/portal/t/{token}", get(portal::ticket))
        .route("/portal/sign-in", get(portal_account::form).post(portal_account::request))
        .route(
            "/portal/sign-in/{token}",
            get(portal_account::confirm).post(portal_account::sign_in),
        )
        .route("/portal/my", get(portal_account::my_requests))
        .route("/portal/my/{number}/open", post(portal_account::open))
        .route("/portal/sign-out", post(portal_account::sign_out))
        .route("/brand/logo", get(branding::logo))
        .route("/brand.css", get(branding::css))
        .route(
            "/portal/t/{token}/reply",
            post(portal::reply).layer(crate::upload::upload_body_limit()),
        )
        .route("/portal/t/{token}/attachments/{id}", get(portal::attachment))
        .route("/portal/t/{token}/solved", post(portal::solved))
        .route("/s/{token}", get(survey::page).post(survey::submit))
        .route("/assets/{*path}", get(assets::asset));
    signed_in
        .merge(public)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
}

/// Whether htmx sent the request (it then wants a fragment, not a page).
pub struct Htmx(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Htmx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Htmx(parts.headers.contains_key("hx-request")))
    }
}
