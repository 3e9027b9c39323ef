//! Saved personal views: an agent names a ticket-list filter and finds it as a tab in the
//! inbox. The query is checked exactly as the list checks it before it is kept, and kept
//! in one canonical form (known parameters only, in a fixed order).

use crate::error::{AppError, AppResult};
use crate::tickets::{ListTickets, parse_list};
use crate::{Actor, App, now};
use kefu_domain::entities::Id;
use kefu_domain::query::SavedView;
use kefu_domain::text::Name;
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::saved_views::{delete_saved_view, insert_saved_view, saved_views_of};
use serde::Deserialize;
use utoipa::ToSchema;

/// The most views one agent keeps.
pub const MAX_SAVED_VIEWS: usize = 20;

/// The longest view name (characters).
const MAX_VIEW_NAME: usize = 60;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SaveView {
    pub name: Option<String>,
    /// The ticket list's query string, e.g. `status=open,pending&tag=vip&sort=sla_due`.
    pub query: Option<String>,
}

/// The list parameters a view may hold, in the order they are written back.
const VIEW_PARAMETERS: [&str; 11] = [
    "status",
    "assignee",
    "team",
    "priority",
    "kind",
    "category",
    "tag",
    "owner",
    "held_by_others",
    "sla",
    "sort",
];

/// The list parameters of `query` (a query string, with or without a leading `?`);
/// unknown ones and empty values are dropped.
pub fn list_parameters(query: &str) -> ListTickets {
    let mut params = ListTickets::default();
    for (key, value) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        let value = value.trim().to_owned();
        if value.is_empty() {
            continue;
        }
        let slot = match key.as_ref() {
            "status" => &mut params.status,
            "assignee" => &mut params.assignee,
            "team" => &mut params.team,
            "priority" => &mut params.priority,
            "kind" => &mut params.kind,
            "category" => &mut params.category,
            "tag" => &mut params.tag,
            "owner" => &mut params.owner,
            "sla" => &mut params.sla,
            "sort" => &mut params.sort,
            "held_by_others" => {
                params.held_by_others = Some(value == "true");
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    params
}

/// `params` as the canonical query string a view keeps.
pub fn canonical_query(params: &ListTickets) -> String {
    let held = params.held_by_others.map(|h| h.to_string());
    let values = [
        &params.status,
        &params.assignee,
        &params.team,
        &params.priority,
        &params.kind,
        &params.category,
        &params.tag,
        &params.owner,
        &held,
        &params.sla,
        &params.sort,
    ];
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            VIEW_PARAMETERS
                .iter()
                .zip(values)
                .filter_map(|(key, value)| value.as_deref().map(|v| (*key, v))),
        )
        .finish()
}

impl App {
    /// Saves a view for the signed-in agent. Refused, writing nothing: a missing or too
    /// long name, a name already used, a query the ticket list would refuse, more than
    /// [`MAX_SAVED_VIEWS`] views.
    pub async fn save_view(&self, actor: &Actor, input: SaveView) -> AppResult<SavedView> {
        let mut errors = FieldErrors::default();
        let name = errors.take(
            Name::parse("name", input.name.as_deref().unwrap_or_default().trim()).and_then(|name| {
                if name.as_str().chars().count() > MAX_VIEW_NAME {
                    Err(FieldError::new("name", "too_long", format!("at most {MAX_VIEW_NAME} characters")))
                } else {
                    Ok(name)
                }
            }),
        );
        let params = list_parameters(input.query.as_deref().unwrap_or_default());
        let query = canonical_query(&params);
        if query.is_empty() {
            errors.push(FieldError::new("query", "empty_view", "choose at least one filter or an order"));
        } else if let Err(AppError::Invalid(invalid)) = parse_list(actor, params) {
            // The list's own field names, under `query`.
            errors.0.extend(invalid.0.into_iter().map(|e| e.under("query")));
        }
        errors.into_result()?;
        let name = name.map(|n| n.as_str().to_owned()).unwrap_or_default();
        let agent = actor.id;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    if saved_views_of(tx.exec(), agent).await?.len() >= MAX_SAVED_VIEWS {
                        return Err(AppError::Conflict {
                            code: "too_many_views",
                            message: format!("at most {MAX_SAVED_VIEWS} saved views; delete one first"),
                        });
                    }
                    insert_saved_view(tx.exec(), agent, &name, &query, now())
                        .await
                        .map_err(|error| match error {
                            kefu_store::StoreError::Conflict(_) => AppError::Conflict {
                                code: "view_name_taken",
                                message: "you already have a view with this name".into(),
                            },
                            other => other.into(),
                        })
                })
            })
            .await
    }

    /// The signed-in agent's saved views.
    pub async fn saved_views(&self, actor: &Actor) -> AppResult<Vec<SavedView>> {
        Ok(saved_views_of(self.db().read(), actor.id).await?)
    }

    /// Deletes one of the signed-in agent's views (another agent's is "not found").
    pub async fn delete_view(&self, actor: &Actor, id: Id) -> AppResult<()> {
        let agent = actor.id;
        let deleted = self
            .db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(delete_saved_view(tx.exec(), agent, id).await?) }))
            .await?;
        if deleted {
            Ok(())
        } else {
            Err(AppError::NotFound {
                what: "view",
                code: "view_not_found",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_keep_known_parameters_in_one_order() {
        let params = list_parameters("?sort=sla_due&cursor=abc&tag=%E7%94%B5%E6%B1%A0&status=open,pending&x=1&team=");
        assert_eq!(
            canonical_query(&params),
            "status=open%2Cpending&tag=%E7%94%B5%E6%B1%A0&sort=sla_due"
        );
        assert_eq!(
            canonical_query(&list_parameters("owner=me&held_by_others=true")),
            "owner=me&held_by_others=true"
        );
        assert_eq!(canonical_query(&list_parameters("")), "");
    }
}
