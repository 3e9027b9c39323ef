//! `/api/v1/branding`: the public pages' look.

use crate::extract::{ApiJson, Auth};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_app::branding::BrandingInput;
use kefu_domain::branding::Branding;

/// The portal's name, welcome texts, accent colour and whether it has a logo
/// (`logo_type`; the logo itself is served at `/brand/logo`).
#[utoipa::path(get, path = "/api/v1/branding", tag = "admin", responses((status = 200, body = Branding)))]
pub async fn get(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<Branding>> {
    Ok(Json((*state.app.branding().await).clone()))
}

/// Change the texts or colour (admins; fields left out stay; `remove_logo: true` takes
/// the logo away). A logo is uploaded on the admin page `/admin/branding`.
#[utoipa::path(put, path = "/api/v1/branding", tag = "admin", request_body = BrandingInput,
    responses((status = 200, body = Branding), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put(State(state): State<AppState>, Auth(actor): Auth, ApiJson(input): ApiJson<BrandingInput>) -> ApiResult<Json<Branding>> {
    Ok(Json(state.app.set_branding(&actor, input, None).await?))
}
