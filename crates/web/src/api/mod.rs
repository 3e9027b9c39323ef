//! The REST API v1 and its OpenAPI 3.1 description.

pub mod analytics;
pub mod audit;
pub mod branding;
pub mod customers;
pub mod knowledge;
pub mod macros;
pub mod people;
pub mod relations;
pub mod service;
pub mod surveys;
pub mod tickets;
pub mod views;

use crate::state::AppState;
use axum::Router;
use axum::routing::{delete, get, patch, post, put};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kefu API", description = "Kefu (客服) customer-service platform, REST API v1. Authenticate with `Authorization: Bearer TOKEN` (`kefu admin create-token`). Errors are RFC 9457 problem+json with a stable `code`."),
    paths(
        tickets::create, tickets::list, tickets::bulk, tickets::get, tickets::update, tickets::add_message, tickets::attachment, relations::merge, relations::relations, relations::link, relations::unlink, tickets::assign, tickets::transfer, tickets::events, tickets::inbox_counts, views::list, views::create, views::delete, audit::list, branding::get, branding::put,
        customers::create, customers::list, customers::get, customers::update, customers::tickets, customers::dedicated_agent, customers::set_dedicated_agent,
        people::agents, people::create_agent, people::update_agent, people::teams, people::create_team, people::update_team,
        people::categories, people::create_category, people::update_category,
        people::custom_fields, people::create_custom_field, people::update_custom_field,
        service::calendars, service::create_calendar, service::calendar, service::update_calendar, service::delete_calendar, service::import_holidays,
        service::policies, service::create_policy, service::update_policy, service::delete_policy,
        service::ticket_sla, service::arrival, service::make_commitment, service::ticket_commitments, service::my_commitments,
        service::resolve_commitment, service::commitment_counts, service::notifications, service::mark_read, service::reminder,
        macros::list, macros::create, macros::update, macros::delete,
        service::rules, service::create_rule, service::update_rule, service::delete_rule, service::dry_run,
        knowledge::search, knowledge::help_search, knowledge::misses, knowledge::categories, knowledge::save_category,
        knowledge::list, knowledge::create, knowledge::get, knowledge::update, knowledge::set_status, knowledge::versions,
        knowledge::restore, knowledge::feedback,
        surveys::designs, surveys::design_versions, surveys::save_design, surveys::triggers, surveys::create_trigger,
        surveys::update_trigger, surveys::send, surveys::ticket_surveys, surveys::form, surveys::answer, surveys::report,
        surveys::answers, surveys::campaigns, surveys::create_campaign, surveys::callbacks, surveys::callback_attempt, surveys::callback_answer,
        surveys::create_action, surveys::actions, surveys::action_done, surveys::praise, surveys::service_star,
        analytics::kpis, analytics::dashboard, analytics::staffing, analytics::hot, analytics::leaderboard, analytics::deflection,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets", post(tickets::create).get(tickets::list))
        .route("/api/v1/tickets/bulk", post(tickets::bulk))
        .route("/api/v1/views", get(views::list).post(views::create))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/branding", get(branding::get).put(branding::put))
        .route("/api/v1/views/{id}", delete(views::delete))
        .route("/api/v1/tickets/{number}", get(tickets::get).patch(tickets::update))
        .route(
            "/api/v1/tickets/{number}/messages",
            post(tickets::add_message).layer(crate::upload::upload_body_limit()),
        )
        .route("/api/v1/tickets/{number}/attachments/{id}", get(tickets::attachment))
        .route("/api/v1/tickets/{number}/merge", post(relations::merge))
        .route("/api/v1/tickets/{number}/links", get(relations::relations).post(relations::link))
        .route("/api/v1/tickets/{number}/links/{other}", delete(relations::unlink))
        .route("/api/v1/tickets/{number}/assign", post(tickets::assign))
        .route("/api/v1/tickets/{number}/transfer", post(tickets::transfer))
        .route("/api/v1/tickets/{number}/events", get(tickets::events))
        .route("/api/v1/inbox/counts", get(tickets::inbox_counts))
        .route("/api/v1/macros", get(macros::list).post(macros::create))
        .route("/api/v1/macros/{id}", put(macros::update).delete(macros::delete))
        .route("/api/v1/customers", post(customers::create).get(customers::list))
        .route("/api/v1/customers/{id}", get(customers::get).patch(customers::update))
        .route("/api/v1/customers/{id}/tickets", get(customers::tickets))
        .route(
            "/api/v1/customers/{id}/dedicated-agent",
            get(customers::dedicated_agent).put(customers::set_dedicated_agent),
        )
        .route("/api/v1/agents", get(people::agents).post(people::create_agent))
        .route("/api/v1/agents/{id}", patch(people::update_agent))
        .route("/api/v1/teams", get(people::teams).post(people::create_team))
        .route("/api/v1/teams/{id}", patch(people::update_team))
        .route("/api/v1/categories", get(people::categories).post(people::create_category))
        .route("/api/v1/categories/{code}", patch(people::update_category))
        .route(
            "/api/v1/custom-fields",
            get(people::custom_fields).post(people::create_custom_field),
        )
        .route("/api/v1/custom-fields/{key}", put(people::update_custom_field))
        .route("/api/v1/calendars", get(service::calendars).post(service::create_calendar))
        .route(
            "/api/v1/calendars/{id}",
            get(service::calendar)
                .put(service::update_calendar)
                .delete(service::delete_calendar),
        )
        .route("/api/v1/calendars/{id}/holidays", post(service::import_holidays))
        .route("/api/v1/sla-policies", get(service::policies).post(service::create_policy))
        .route(
            "/api/v1/sla-policies/{id}",
            put(service::update_policy).delete(service::delete_policy),
        )
        .route("/api/v1/tickets/{number}/sla", get(service::ticket_sla))
        .route("/api/v1/tickets/{number}/arrival", post(service::arrival))
        .route(
            "/api/v1/tickets/{number}/commitments",
            post(service::make_commitment).get(service::ticket_commitments),
        )
        .route("/api/v1/commitments", get(service::my_commitments))
        .route("/api/v1/commitments/counts", get(service::commitment_counts))
        .route("/api/v1/commitments/{id}", patch(service::resolve_commitment))
        .route("/api/v1/notifications", get(service::notifications))
        .route("/api/v1/notifications/read", post(service::mark_read))
        .route("/api/v1/reminders", post(service::reminder))
        .route("/api/v1/rules", get(service::rules).post(service::create_rule))
        .route("/api/v1/rules/dry-run", post(service::dry_run))
        .route("/api/v1/rules/{id}", put(service::update_rule).delete(service::delete_rule))
        .route("/api/v1/search", get(knowledge::search))
        .route("/api/v1/search/misses", get(knowledge::misses))
        .route("/api/v1/help/search", get(knowledge::help_search))
        .route("/api/v1/help/articles/{id}/feedback", post(knowledge::feedback))
        .route("/api/v1/kb/categories", get(knowledge::categories).post(knowledge::save_category))
        .route("/api/v1/articles", get(knowledge::list).post(knowledge::create))
        .route("/api/v1/articles/{id}", get(knowledge::get).patch(knowledge::update))
        .route("/api/v1/articles/{id}/status", post(knowledge::set_status))
        .route("/api/v1/articles/{id}/versions", get(knowledge::versions))
        .route("/api/v1/articles/{id}/versions/{version}/restore", post(knowledge::restore))
        .route("/api/v1/analytics/kpis", get(analytics::kpis))
        .route("/api/v1/analytics/dashboard", get(analytics::dashboard))
        .route("/api/v1/analytics/staffing", get(analytics::staffing))
        .route("/api/v1/analytics/hot", get(analytics::hot))
        .route("/api/v1/analytics/leaderboard", get(analytics::leaderboard))
        .route("/api/v1/analytics/deflection", get(analytics::deflection))
        .route("/api/v1/survey-designs", get(surveys::designs))
        .route(
            "/api/v1/survey-designs/{key}",
            get(surveys::design_versions).put(surveys::save_design),
        )
        .route("/api/v1/survey-triggers", get(surveys::triggers).post(surveys::create_trigger))
        .route("/api/v1/survey-triggers/{id}", put(surveys::update_trigger))
        .route("/api/v1/tickets/{number}/surveys", post(surveys::send).get(surveys::ticket_surveys))
        .route("/api/v1/surveys/{token}", get(surveys::form))
        .route("/api/v1/surveys/{token}/answers", post(surveys::answer))
        .route("/api/v1/survey-reports/{design}", get(surveys::report))
        .route("/api/v1/survey-reports/{design}/answers", get(surveys::answers))
        .route("/api/v1/callback-campaigns", get(surveys::campaigns).post(surveys::create_campaign))
        .route("/api/v1/callbacks", get(surveys::callbacks))
        .route("/api/v1/callbacks/{id}/attempts", post(surveys::callback_attempt))
        .route("/api/v1/callbacks/{id}/answers", post(surveys::callback_answer))
        .route("/api/v1/survey-actions", post(surveys::create_action).get(surveys::actions))
        .route("/api/v1/survey-actions/{id}/done", post(surveys::action_done))
        .route("/api/v1/praise", get(surveys::praise))
        .route("/api/v1/service-star", get(surveys::service_star))
        .route("/api/v1/openapi.json", get(openapi))
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
