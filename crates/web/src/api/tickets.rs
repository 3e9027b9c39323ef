//! `/api/v1/tickets`: create, list, read, change, messages, assign, transfer, events.

use crate::extract::{ApiJson, ApiQuery, Auth, TicketNumberPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use kefu_app::tickets::{AddMessage, Assign, CreateTicket, ListTickets, MessageAdded, Page, TicketDetail, Transfer, UpdateTicket};
use kefu_domain::entities::Ticket;
use kefu_domain::event::TicketEvent;

/// Create a ticket. With `Idempotency-Key`, a retry with the same body returns the first
/// ticket and creates nothing; the same key with another body is a 422.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = CreateTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = Ticket), (status = 422, body = Problem), (status = 401, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CreateTicket>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let key = match headers.get("idempotency-key") {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| {
                    crate::problem::ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_idempotency_key",
                        "Idempotency-Key must be visible ASCII",
                    )
                })?
                .to_owned(),
        ),
        None => None,
    };
    let created = state.app.create_ticket(&actor, input, key).await?;
    Ok((StatusCode::CREATED, Json(created.ticket)))
}

/// List tickets the caller may see, with keyset pagination.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(ListTickets),
    responses((status = 200, body = Page<Ticket>), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<ListTickets>,
) -> ApiResult<Json<Page<Ticket>>> {
    Ok(Json(state.app.list_tickets(&actor, params).await?))
}

/// How many tickets each inbox view holds for the caller (read from counters the
/// commands keep; cheap to poll).
#[utoipa::path(get, path = "/api/v1/inbox/counts", tag = "tickets",
    responses((status = 200, body = kefu_app::inbox::InboxCounts), (status = 401, body = Problem)))]
pub async fn inbox_counts(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<kefu_app::inbox::InboxCounts>> {
    Ok(Json(state.app.inbox_counts(&actor).await?))
}

/// A ticket with its messages (internal notes included: agents only).
#[utoipa::path(get, path = "/api/v1/tickets/{number}", tag = "tickets", params(("number" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 404, body = Problem), (status = 403, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(state.app.ticket(&actor, number).await?))
}

/// Change status, priority, category, tags, team (and, for supervisors, the owner).
#[utoipa::path(patch, path = "/api/v1/tickets/{number}", tag = "tickets", params(("number" = i64, Path)), request_body = UpdateTicket,
    responses((status = 200, body = Ticket), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<UpdateTicket>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(state.app.update_ticket(&actor, number, input).await?))
}

/// Add a public reply, an internal note, or a relayed customer message.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/messages", tag = "tickets", params(("number" = i64, Path)), request_body = AddMessage,
    responses((status = 201, body = MessageAdded), (status = 422, body = Problem)))]
pub async fn add_message(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<AddMessage>,
) -> ApiResult<(StatusCode, Json<MessageAdded>)> {
    Ok((StatusCode::CREATED, Json(state.app.add_message(&actor, number, input).await?)))
}

/// Assign the ticket to an agent (`null` unassigns).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/assign", tag = "tickets", params(("number" = i64, Path)), request_body = Assign,
    responses((status = 200, body = Ticket), (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<Assign>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(state.app.assign(&actor, number, input).await?))
}

/// Transfer the ticket to another agent or team, with a reason. The first-contact owner
/// stays.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/transfer", tag = "tickets", params(("number" = i64, Path)), request_body = Transfer,
    responses((status = 200, body = Ticket), (status = 422, body = Problem)))]
pub async fn transfer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<Transfer>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(state.app.transfer(&actor, number, input).await?))
}

/// Every event of the ticket, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/events", tag = "tickets", params(("number" = i64, Path)),
    responses((status = 200, body = Vec<TicketEvent>), (status = 404, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<Vec<TicketEvent>>> {
    Ok(Json(state.app.ticket_events(&actor, number).await?))
}
