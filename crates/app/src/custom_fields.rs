//! Custom ticket fields: admins define them (key, labels, type, choices) and retire them;
//! agents fill them on a ticket, each value checked against its field and merged into the
//! ticket's `custom` object inside the ticket's transaction (two agents filling different
//! fields at once both keep their value).

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::tickets::{UpdateTicket, apply_update, parse_update};
use crate::{Actor, App, now};
use kefu_domain::custom_field::{CustomField, MAX_FIELDS};
use kefu_domain::entities::{Ticket, TicketNumber};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::custom_fields as store;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;

/// A new field, or the whole of a field's new definition (the key cannot change).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CustomFieldInput {
    pub key: Option<String>,
    pub label_zh: String,
    pub label_en: String,
    /// `text`, `number`, `select`, `date` or `checkbox`.
    pub kind: String,
    /// The choices of a `select` field.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn not_found() -> AppError {
    AppError::NotFound {
        what: "custom field",
        code: "custom_field_not_found",
    }
}

impl App {
    /// The field definitions in the order they were added, retired ones included.
    pub async fn custom_fields(&self, _actor: &Actor) -> AppResult<Arc<Vec<CustomField>>> {
        Ok(self.lists.custom_fields.get(store::list_custom_fields(self.db().read())).await?)
    }

    pub async fn create_custom_field(&self, actor: &Actor, input: CustomFieldInput) -> AppResult<CustomField> {
        actor.require_admin("only an admin can define custom fields")?;
        let key = input.key.clone().unwrap_or_default();
        let field = CustomField::parse(&key, &input.label_zh, &input.label_en, &input.kind, &input.options, input.active)
            .map_err(AppError::Invalid)?;
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if store::custom_field(tx.exec(), &field.key).await?.is_some() {
                        return Err(AppError::Conflict {
                            code: "custom_field_exists",
                            message: format!("a field with the key {} exists", field.key),
                        });
                    }
                    if store::count_custom_fields(tx.exec()).await? >= MAX_FIELDS as i64 {
                        return Err(AppError::field("key", "too_many", format!("at most {MAX_FIELDS} fields")));
                    }
                    store::insert_custom_field(tx.exec(), &field, now()).await?;
                    audit(tx, Some(by), "custom_field.create", ("custom_field", None), &field).await?;
                    Ok(field)
                })
            })
            .await;
        self.lists.custom_fields.invalidate();
        result
    }

    pub async fn update_custom_field(&self, actor: &Actor, key: String, input: CustomFieldInput) -> AppResult<CustomField> {
        actor.require_admin("only an admin can change custom fields")?;
        if input.key.as_deref().is_some_and(|k| k != key) {
            return Err(AppError::field(
                "key",
                "immutable",
                "a field's key cannot change; retire it and add another",
            ));
        }
        let field = CustomField::parse(&key, &input.label_zh, &input.label_en, &input.kind, &input.options, input.active)
            .map_err(AppError::Invalid)?;
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if !store::update_custom_field(tx.exec(), &field).await? {
                        return Err(not_found());
                    }
                    audit(tx, Some(by), "custom_field.update", ("custom_field", None), &field).await?;
                    Ok(field)
                })
            })
            .await;
        self.lists.custom_fields.invalidate();
        result
    }

    /// Fills a ticket's custom fields from a form: `values` are (key, text) of active
    /// fields; an empty text clears the field. Every value is checked first; one bad
    /// value changes nothing. Other keys of the ticket's `custom` object stay as they are.
    pub async fn set_ticket_fields(&self, actor: &Actor, number: TicketNumber, values: Vec<(String, String)>) -> AppResult<Ticket> {
        let fields = store::list_custom_fields(self.db().read()).await?;
        let mut errors = FieldErrors::default();
        let mut changes: Vec<(String, Option<Value>)> = Vec::new();
        for (key, text) in values {
            match fields.iter().find(|f| f.key == key && f.active) {
                Some(field) => {
                    if let Some(value) = errors.take(field.parse_value(&text)) {
                        changes.push((key, value));
                    }
                }
                None => errors.push(FieldError::new(format!("custom.{key}"), "unknown_field", "no such field in use")),
            }
        }
        if !errors.0.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let acting = actor.clone();
        self.change(actor, number, move |tx, ticket, at| {
            Box::pin(async move {
                let mut custom = ticket.custom.clone();
                for (key, value) in changes {
                    match value {
                        Some(value) => custom.insert(key, value),
                        None => custom.remove(&key),
                    };
                }
                let change = parse_update(UpdateTicket {
                    custom: Some(Value::Object(custom)),
                    ..UpdateTicket::default()
                })?;
                apply_update(tx, acting, ticket, change, at).await
            })
        })
        .await
    }
}
