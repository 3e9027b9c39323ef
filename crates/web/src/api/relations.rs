//! `/api/v1/tickets/{number}/merge` and `/links`: merged and related tickets.

use crate::extract::{ApiJson, Auth, TicketNumberPath};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use kefu_app::relations::{Merged, OtherTicket, Relations};

/// Merge this ticket (a duplicate) into `ticket`: its request, messages and files are
/// copied into an internal note there, it is closed, and the customer's later messages on
/// it go to `ticket`. Only tickets of the same customer, neither closed (409
/// `different_customers`, `ticket_closed`, `target_closed`, `same_ticket`).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/merge", tag = "tickets", params(("number" = i64, Path)), request_body = OtherTicket,
    responses((status = 200, body = Merged), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<OtherTicket>,
) -> ApiResult<Json<Merged>> {
    Ok(Json(state.app.merge_ticket(&actor, number, input).await?))
}

/// What the ticket was merged into, what was merged into it, and its related tickets
/// (those the reader may see).
#[utoipa::path(get, path = "/api/v1/tickets/{number}/links", tag = "tickets", params(("number" = i64, Path)),
    responses((status = 200, body = Relations), (status = 404, body = Problem)))]
pub async fn relations(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<Relations>> {
    Ok(Json(state.app.ticket_relations(&actor, number).await?))
}

/// Link `ticket` as related (both tickets record it; linking twice changes nothing).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/links", tag = "tickets", params(("number" = i64, Path)), request_body = OtherTicket,
    responses((status = 200, body = Relations), (status = 422, body = Problem)))]
pub async fn link(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<OtherTicket>,
) -> ApiResult<Json<Relations>> {
    Ok(Json(state.app.link_tickets(&actor, number, input).await?))
}

/// Remove the link to ticket `other`.
#[utoipa::path(delete, path = "/api/v1/tickets/{number}/links/{other}", tag = "tickets",
    params(("number" = i64, Path), ("other" = i64, Path)),
    responses((status = 200, body = Relations), (status = 404, body = Problem)))]
pub async fn unlink(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((number, other)): Path<(String, String)>,
) -> ApiResult<Json<Relations>> {
    let (Ok(number), Ok(other)) = (number.parse(), other.parse()) else {
        return Err(ApiError::from(kefu_app::AppError::ticket_not_found()));
    };
    let input = OtherTicket { ticket: Some(other) };
    Ok(Json(state.app.unlink_tickets(&actor, number, input).await?))
}
