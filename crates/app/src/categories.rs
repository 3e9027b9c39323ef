//! The category tree tickets are filed under: everyone signed in reads it, admins add
//! categories, rename them and retire them. A code never changes (tickets, SLA conditions
//! and reports keep it); retiring hides a category and its branch from new choices.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use kefu_domain::category::{Category, child_code, tree_order};
use kefu_domain::text::Name;
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::categories as store;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A new category, or the fields of a PATCH (only those present change).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CategoryInput {
    /// The parent's code; none for a new root. Only when creating.
    pub parent: Option<String>,
    /// The new category's last code segment (`a-z`, `0-9`, `_`). Only when creating.
    pub key: Option<String>,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// `false` retires the category and everything below it; `true` restores this one
    /// (its parent must be active).
    pub active: Option<bool>,
}

/// A name given (`None` when absent or, recorded in `errors`, invalid).
fn parse_name(field: &str, value: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    value.and_then(|v| errors.take(Name::parse(field, v))).map(Name::into_inner)
}

fn not_found() -> AppError {
    AppError::NotFound {
        what: "category",
        code: "category_not_found",
    }
}

impl App {
    /// The whole tree in reading order (parents before children), retired ones included.
    pub async fn categories(&self, _actor: &Actor) -> AppResult<Arc<Vec<Category>>> {
        self.category_tree().await
    }

    async fn category_tree(&self) -> AppResult<Arc<Vec<Category>>> {
        let read = async { store::list_categories(self.db().read()).await.map(tree_order) };
        Ok(self.lists.categories.get(read).await?)
    }

    /// What a customer may file a request under on the portal: active categories of the
    /// first two levels (the area and the topic; agents refine further).
    pub async fn portal_categories(&self) -> AppResult<Vec<Category>> {
        let tree = self.category_tree().await?;
        Ok(tree.iter().filter(|c| c.active && c.depth() <= 1).cloned().collect())
    }

    pub async fn create_category(&self, actor: &Actor, input: CategoryInput) -> AppResult<Category> {
        actor.require_admin("only an admin can change the categories")?;
        let mut errors = FieldErrors::default();
        let parent = input.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned);
        let code = errors.take(child_code(parent.as_deref(), input.key.as_deref().unwrap_or_default()));
        let name_zh = parse_name("name_zh", input.name_zh.as_deref().or(Some("")), &mut errors);
        let name_en = parse_name("name_en", input.name_en.as_deref().or(Some("")), &mut errors);
        let (Some(code), Some(name_zh), Some(name_en)) = (code, name_zh, name_en) else {
            return Err(AppError::Invalid(errors));
        };
        let category = Category {
            code,
            parent_code: parent,
            name_zh,
            name_en,
            active: input.active.unwrap_or(true),
        };
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if let Some(parent) = &category.parent_code {
                        let parent = store::category_by_code(tx.exec(), parent)
                            .await?
                            .ok_or_else(|| AppError::field("parent", "unknown_category", "no such category"))?;
                        if !parent.active && category.active {
                            return Err(AppError::field("parent", "category_retired", "the parent category is retired"));
                        }
                    }
                    if store::category_by_code(tx.exec(), &category.code).await?.is_some() {
                        return Err(AppError::Conflict {
                            code: "category_exists",
                            message: format!("the category {} exists", category.code),
                        });
                    }
                    store::insert_category(tx.exec(), &category).await?;
                    audit(tx, Some(by), "category.create", ("category", None), &category).await?;
                    Ok(category)
                })
            })
            .await;
        self.lists.categories.invalidate();
        result
    }

    pub async fn update_category(&self, actor: &Actor, code: String, input: CategoryInput) -> AppResult<Category> {
        actor.require_admin("only an admin can change the categories")?;
        let mut errors = FieldErrors::default();
        if input.parent.is_some() || input.key.is_some() {
            errors.push(FieldError::new(
                "key",
                "immutable",
                "a category's code cannot change; retire it and add another",
            ));
        }
        let name_zh = parse_name("name_zh", input.name_zh.as_deref(), &mut errors);
        let name_en = parse_name("name_en", input.name_en.as_deref(), &mut errors);
        if !errors.0.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut category = store::category_by_code(tx.exec(), &code).await?.ok_or_else(not_found)?;
                    category.name_zh = name_zh.unwrap_or(category.name_zh);
                    category.name_en = name_en.unwrap_or(category.name_en);
                    if let Some(active) = input.active {
                        if active
                            && !category.active
                            && let Some(parent) = &category.parent_code
                        {
                            let parent = store::category_by_code(tx.exec(), parent).await?.ok_or_else(not_found)?;
                            if !parent.active {
                                return Err(AppError::field("active", "category_retired", "restore the parent category first"));
                            }
                        }
                        if !active {
                            store::retire_below(tx.exec(), &category.code).await?;
                        }
                        category.active = active;
                    }
                    store::update_category(tx.exec(), &category).await?;
                    audit(tx, Some(by), "category.update", ("category", None), &category).await?;
                    Ok(category)
                })
            })
            .await;
        self.lists.categories.invalidate();
        result
    }
}
