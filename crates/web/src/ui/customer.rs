//! The customer page: who they are, how to serve them, and their tickets.

use super::i18n::{Lang, Tr};
use super::inbox::Row;
use super::pages::{Chrome, UiError};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kefu_app::tickets::ListTickets;
use kefu_domain::entities::Id;

#[derive(Template, WebTemplate)]
#[template(path = "customer.html")]
struct CustomerPage {
    chrome: Chrome,
    name: String,
    email: String,
    phone: String,
    organization: String,
    tier: String,
    customer_type: String,
    consent: String,
    tags: String,
    rows: Vec<Row>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    // The customer read answers "no such customer"; their tickets come from the plain list
    // (the customer-tickets use case would read the customer a second time).
    let recent = ListTickets {
        customer: Some(id.to_string()),
        limit: Some("25".into()),
        ..ListTickets::default()
    };
    let (customer, tickets) = match tokio::try_join!(state.app.customer(actor, id), state.app.list_tickets(actor, recent)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    CustomerPage {
        chrome: Chrome::signed_in(lang, &session, &format!("/customers/{id}")),
        email: customer.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
        phone: customer.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        organization: customer.organization.clone().unwrap_or_default(),
        tier: tr.label("tier", customer.tier.as_str()),
        customer_type: customer
            .customer_type
            .map(|t| tr.label("customer_type", t.as_str()))
            .unwrap_or_default(),
        consent: customer.consent_at.map(render::when).unwrap_or_default(),
        tags: customer.tags.join(", "),
        name: customer.name,
        rows: tickets.items.iter().map(|t| Row::of(t, tr)).collect(),
    }
    .into_response()
}
