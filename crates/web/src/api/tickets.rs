//! `/api/v1/tickets`: create, list, read, change, messages, assign, transfer, events.

use crate::extract::{ApiJson, ApiQuery, Auth, TicketNumberPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use crate::upload::{JsonOrMultipart, attachment_response};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kefu_app::bulk_update::{BulkReport, BulkUpdate};
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

/// A message with files, as `multipart/form-data`: the fields of a JSON message as text
/// parts, and one `files` part per file (at most 10 files, 10 MB each, 25 MB together;
/// pictures, PDF, office documents, archives, short video and audio, plain text).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes a body for the OpenAPI document only
struct AddMessageWithFiles {
    kind: Option<String>,
    body: Option<String>,
    if_unchanged_since: Option<String>,
    #[schema(content_media_type = "application/octet-stream")]
    files: Vec<Vec<u8>>,
}

/// Add a public reply, an internal note, or a relayed customer message, optionally with
/// files (send `multipart/form-data` then). Refused files are named in the 422
/// (`attachment_type_not_allowed`, `attachment_too_large`, `attachments_too_large`,
/// `too_many_attachments`, `empty_attachment`) and nothing is written.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/messages", tag = "tickets", params(("number" = i64, Path)),
    request_body(content((AddMessage = "application/json"), (AddMessageWithFiles = "multipart/form-data"))),
    responses((status = 201, body = MessageAdded), (status = 422, body = Problem)))]
pub async fn add_message(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    input: JsonOrMultipart<AddMessage>,
) -> ApiResult<(StatusCode, Json<MessageAdded>)> {
    let added = state.app.add_message_with_files(&actor, number, input.value, input.files).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Download a file of the ticket, with the type its bytes showed when it was accepted
/// (pictures inline, everything else as an attachment).
#[utoipa::path(get, path = "/api/v1/tickets/{number}/attachments/{id}", tag = "tickets",
    params(("number" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, description = "the file's bytes", content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn attachment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((number, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (Ok(number), Ok(id)) = (number.parse(), id.parse()) else {
        return Err(kefu_app::AppError::NotFound {
            what: "attachment",
            code: "attachment_not_found",
        }
        .into());
    };
    let file = state.app.ticket_attachment(&actor, number, id).await?;
    Ok(attachment_response(file))
}

/// Change many tickets at once: assignee, status, priority, tags added or removed. Each
/// ticket is changed on its own, by the same rules as one at a time; the report lists the
/// tickets changed, those already so, and those refused with the reason.
#[utoipa::path(post, path = "/api/v1/tickets/bulk", tag = "tickets", request_body = BulkUpdate,
    responses((status = 200, body = BulkReport), (status = 422, body = Problem)))]
pub async fn bulk(State(state): State<AppState>, Auth(actor): Auth, ApiJson(input): ApiJson<BulkUpdate>) -> ApiResult<Json<BulkReport>> {
    Ok(Json(state.app.bulk_update(&actor, input).await?))
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
