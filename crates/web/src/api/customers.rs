//! `/api/v1/customers`.

use crate::extract::{ApiJson, ApiQuery, Auth, IdPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::customers::{CustomerInput, DedicatedAgent, ListCustomers};
use kefu_app::tickets::{ListTickets, Page};
use kefu_domain::entities::{Customer, Ticket};

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = Customer), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_customer(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListCustomers), responses((status = 200, body = Page<Customer>)))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<ListCustomers>,
) -> ApiResult<Json<Page<Customer>>> {
    Ok(Json(state.app.list_customers(&actor, params).await?))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = Customer), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<Json<Customer>> {
    Ok(Json(state.app.customer(&actor, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path)), request_body = CustomerInput,
    responses((status = 200, body = Customer), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(state.app.update_customer(&actor, id, input).await?))
}

/// The customer's tickets the caller may see; same filters as the ticket list.
#[utoipa::path(get, path = "/api/v1/customers/{id}/tickets", tag = "customers", params(("id" = i64, Path), ListTickets),
    responses((status = 200, body = Page<Ticket>), (status = 404, body = Problem)))]
pub async fn tickets(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiQuery(params): ApiQuery<ListTickets>,
) -> ApiResult<Json<Page<Ticket>>> {
    Ok(Json(state.app.customer_tickets(&actor, id, params).await?))
}

/// A customer's dedicated agent (专属客服).
#[utoipa::path(get, path = "/api/v1/customers/{id}/dedicated-agent", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = DedicatedAgent), (status = 404, body = Problem)))]
pub async fn dedicated_agent(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<Json<DedicatedAgent>> {
    Ok(Json(state.app.dedicated_agent(&actor, id).await?))
}

/// Set or clear a customer's dedicated agent: their tickets go to that agent whenever the
/// agent is online with capacity (supervisors).
#[utoipa::path(put, path = "/api/v1/customers/{id}/dedicated-agent", tag = "customers", params(("id" = i64, Path)),
    request_body = DedicatedAgent, responses((status = 200, body = DedicatedAgent), (status = 422, body = Problem)))]
pub async fn set_dedicated_agent(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<DedicatedAgent>,
) -> ApiResult<Json<DedicatedAgent>> {
    Ok(Json(state.app.set_dedicated_agent(&actor, id, input).await?))
}
