//! Macros (canned responses): admins and supervisors keep them, agents insert them into
//! a reply. Texts are minijinja templates rendered in a sandbox with only the ticket's,
//! the customer's and the agent's names and numbers in scope; a text that does not parse
//! is refused when saved.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::tickets::load_visible;
use crate::{Actor, App, now};
use kefu_domain::entities::{Id, TicketNumber};
use kefu_domain::service::Macro;
use kefu_store::macros as store;
use minijinja::{Environment, context};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

const MAX_NAME: usize = 100;
const MAX_BODY: usize = 20_000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MacroInput {
    pub name: Option<String>,
    /// The Chinese text, e.g. `{{ customer.name }}您好，您的工单 {{ ticket.number }} 已处理。`
    pub body_zh: Option<String>,
    /// The English text.
    pub body_en: Option<String>,
}

/// A template environment that can reach nothing but what a render passes in.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    env
}

fn parse_input(input: MacroInput) -> AppResult<(String, String, String)> {
    let mut errors = kefu_domain::FieldErrors::default();
    let env = environment();
    let mut text = |field: &str, value: Option<String>, max: usize| -> Option<String> {
        let value = value.map(|v| v.trim().to_owned()).unwrap_or_default();
        let problem = if value.is_empty() {
            Some(("required", "must not be empty".to_owned()))
        } else if value.chars().count() > max {
            Some(("too_long", format!("at most {max} characters")))
        } else if field != "name"
            && let Err(error) = env.template_from_str(&value)
        {
            Some(("invalid_template", format!("does not parse: {error}")))
        } else {
            None
        };
        match problem {
            Some((code, message)) => errors.take::<String>(Err(kefu_domain::FieldError::new(field, code, message))),
            None => Some(value),
        }
    };
    let name = text("name", input.name, MAX_NAME);
    let zh = text("body_zh", input.body_zh, MAX_BODY);
    let en = text("body_en", input.body_en, MAX_BODY);
    errors.into_result()?;
    Ok((name.unwrap_or_default(), zh.unwrap_or_default(), en.unwrap_or_default()))
}

fn macro_not_found() -> AppError {
    AppError::NotFound {
        what: "macro",
        code: "macro_not_found",
    }
}

impl App {
    pub async fn macros(&self, _actor: &Actor) -> AppResult<Arc<Vec<Macro>>> {
        Ok(self.lists.macros.get(store::macros(self.db().read())).await?)
    }

    pub async fn create_macro(&self, actor: &Actor, input: MacroInput) -> AppResult<Macro> {
        actor.require_supervisor("only supervisors and admins manage macros")?;
        let (name, zh, en) = parse_input(input)?;
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let id = store::insert_macro(tx.exec(), &name, &zh, &en, at).await?;
                    let created = Macro {
                        id,
                        name,
                        body_zh: zh,
                        body_en: en,
                        created_at: at,
                        updated_at: at,
                    };
                    audit(tx, Some(by), "macro.create", ("macro", Some(id)), &created).await?;
                    Ok::<_, AppError>(created)
                })
            })
            .await;
        self.lists.macros.invalidate();
        result
    }

    pub async fn update_macro(&self, actor: &Actor, id: Id, input: MacroInput) -> AppResult<Macro> {
        actor.require_supervisor("only supervisors and admins manage macros")?;
        let (name, zh, en) = parse_input(input)?;
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if !store::update_macro(tx.exec(), id, &name, &zh, &en, now()).await? {
                        return Err(macro_not_found());
                    }
                    let updated = store::macro_by_id(tx.exec(), id).await?.ok_or_else(macro_not_found)?;
                    audit(tx, Some(by), "macro.update", ("macro", Some(id)), &updated).await?;
                    Ok(updated)
                })
            })
            .await;
        self.lists.macros.invalidate();
        result
    }

    pub async fn delete_macro(&self, actor: &Actor, id: Id) -> AppResult<()> {
        actor.require_supervisor("only supervisors and admins manage macros")?;
        let by = actor.id;
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let removed = store::macro_by_id(tx.exec(), id).await?.ok_or_else(macro_not_found)?;
                    store::delete_macro(tx.exec(), id).await?;
                    audit(tx, Some(by), "macro.delete", ("macro", Some(id)), &removed).await
                })
            })
            .await;
        self.lists.macros.invalidate();
        result
    }

    /// A macro's text for a ticket, in the ticket's language (its customer's) when it has
    /// one, else in `fallback_lang` (`zh` or `en`), with the variables filled in.
    pub async fn render_macro(&self, actor: &Actor, id: Id, number: TicketNumber, fallback_lang: &str) -> AppResult<String> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        let found = store::macro_by_id(self.db().read(), id).await?.ok_or_else(macro_not_found)?;
        let customer = kefu_store::customers::customer_by_id(self.db().read(), ticket.customer_id).await?;
        let agent = kefu_store::people::agent_by_id(self.db().read(), actor.id).await?;
        let lang = ticket.language.as_deref().unwrap_or(fallback_lang);
        let body = if lang.starts_with("en") { &found.body_en } else { &found.body_zh };
        let env = environment();
        let template = env
            .template_from_str(body)
            .map_err(|e| AppError::Internal(format!("stored macro {id} does not parse: {e}")))?;
        template
            .render(context! {
                ticket => context! { number => ticket.number, subject => ticket.subject },
                customer => context! { name => customer.map(|c| c.name).unwrap_or_default() },
                agent => context! { name => agent.map(|a| a.name).unwrap_or_default() },
            })
            .map_err(|e| AppError::field("macro", "render_failed", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_must_parse_and_fit() {
        let ok = parse_input(MacroInput {
            name: Some(" 退款 ".into()),
            body_zh: Some("{{ customer.name }}您好".into()),
            body_en: Some("Hello {{ customer.name }}".into()),
        })
        .unwrap();
        assert_eq!(ok.0, "退款");
        let Err(AppError::Invalid(errors)) = parse_input(MacroInput {
            name: None,
            body_zh: Some("{{ unclosed".into()),
            body_en: Some("x".repeat(MAX_BODY + 1)),
        }) else {
            panic!("expected field errors");
        };
        let codes: Vec<_> = errors.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            vec![("name", "required"), ("body_zh", "invalid_template"), ("body_en", "too_long")]
        );
    }
}
