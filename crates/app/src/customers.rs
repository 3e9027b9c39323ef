//! Customer use cases: create, read, change, list, and a customer's tickets.

use crate::error::{AppError, AppResult};
use crate::tickets::{ListTickets, Page};
use crate::{Actor, App, now};
use kefu_domain::contact::{Email, Phone};
use kefu_domain::entities::{Customer, Id, Ticket};
use kefu_domain::enums::{CustomerTier, CustomerType};
use kefu_domain::query::MAX_PAGE;
use kefu_domain::text::{Name, parse_custom_fields, parse_tags};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::customers::{
    CustomerQuery, NewCustomer, customer_by_email, customer_by_id, insert_customer, list_customers, update_customer,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

/// A new customer, or the fields of a PATCH (absent fields stay as they are).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organization: Option<String>,
    /// `normal`, `vip` or `key_account`.
    pub tier: Option<String>,
    /// `rational`, `emotional`, `dominant`, `cautious` or `social`.
    pub customer_type: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub external_ids: Option<Value>,
    pub tags: Option<Vec<String>>,
    /// `true` records consent now; `false` withdraws it.
    pub consent: Option<bool>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCustomers {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Parsed customer fields; `None` means "not given".
struct Parsed {
    name: Option<String>,
    email: Option<Email>,
    phone: Option<Phone>,
    organization: Option<String>,
    tier: Option<CustomerTier>,
    customer_type: Option<CustomerType>,
    external_ids: Option<Map<String, Value>>,
    tags: Option<Vec<String>>,
    consent: Option<bool>,
    custom: Option<Map<String, Value>>,
}

fn parse(input: CustomerInput) -> Result<Parsed, FieldErrors> {
    let mut errors = FieldErrors::default();
    let parsed = Parsed {
        name: errors
            .take(input.name.as_deref().map(|n| Name::parse("name", n)).transpose())
            .flatten()
            .map(Name::into_inner),
        email: errors
            .take(input.email.as_deref().map(|e| Email::parse("email", e)).transpose())
            .flatten(),
        phone: errors
            .take(input.phone.as_deref().map(|p| Phone::parse("phone", p)).transpose())
            .flatten(),
        organization: errors
            .take(input.organization.as_deref().map(|o| Name::parse("organization", o)).transpose())
            .flatten()
            .map(Name::into_inner),
        tier: errors
            .take(input.tier.as_deref().map(|t| CustomerTier::parse("tier", t)).transpose())
            .flatten(),
        customer_type: errors
            .take(
                input
                    .customer_type
                    .as_deref()
                    .map(|t| CustomerType::parse("customer_type", t))
                    .transpose(),
            )
            .flatten(),
        external_ids: errors
            .take(
                input
                    .external_ids
                    .as_ref()
                    .map(|v| parse_custom_fields("external_ids", v))
                    .transpose(),
            )
            .flatten(),
        tags: errors
            .take(input.tags.as_deref().map(|t| parse_tags("tags", t)).transpose())
            .flatten()
            .map(|tags| tags.iter().map(|t| t.as_str().to_owned()).collect()),
        consent: input.consent,
        custom: errors
            .take(input.custom.as_ref().map(|v| parse_custom_fields("custom", v)).transpose())
            .flatten(),
    };
    if errors.is_empty() { Ok(parsed) } else { Err(errors) }
}

impl App {
    pub async fn create_customer(&self, _actor: &Actor, input: CustomerInput) -> AppResult<Customer> {
        let mut p = parse(input)?;
        let name = p.name.take().ok_or_else(|| AppError::field("name", "required", "is required"))?;
        if p.email.is_none() && p.phone.is_none() {
            return Err(AppError::field("email", "required", "give the customer's email or phone"));
        }
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    if let Some(email) = &p.email
                        && customer_by_email(tx.exec(), email).await?.is_some()
                    {
                        return Err(AppError::Conflict {
                            code: "email_taken",
                            message: "a customer with this email exists".into(),
                        });
                    }
                    let new = NewCustomer {
                        name,
                        email: p.email,
                        phone: p.phone,
                        organization: p.organization,
                        tier: p.tier.unwrap_or(CustomerTier::Normal),
                        customer_type: p.customer_type,
                        external_ids: p.external_ids.unwrap_or_default(),
                        tags: p.tags.unwrap_or_default(),
                        consent_at: p.consent.filter(|c| *c).map(|_| at),
                        custom: p.custom.unwrap_or_default(),
                    };
                    Ok(insert_customer(tx.exec(), &new, at).await?)
                })
            })
            .await
    }

    pub async fn customer(&self, _actor: &Actor, id: Id) -> AppResult<Customer> {
        customer_by_id(self.db().read(), id).await?.ok_or(AppError::NotFound {
            what: "customer",
            code: "customer_not_found",
        })
    }

    pub async fn update_customer(&self, _actor: &Actor, id: Id, input: CustomerInput) -> AppResult<Customer> {
        let p = parse(input)?;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let mut c = customer_by_id(tx.exec(), id).await?.ok_or(AppError::NotFound {
                        what: "customer",
                        code: "customer_not_found",
                    })?;
                    if let Some(email) = &p.email
                        && c.email.as_ref() != Some(email)
                        && customer_by_email(tx.exec(), email).await?.is_some()
                    {
                        return Err(AppError::Conflict {
                            code: "email_taken",
                            message: "another customer has this email".into(),
                        });
                    }
                    c.name = p.name.unwrap_or(c.name);
                    c.email = p.email.or(c.email);
                    c.phone = p.phone.or(c.phone);
                    c.organization = p.organization.or(c.organization);
                    c.tier = p.tier.unwrap_or(c.tier);
                    c.customer_type = p.customer_type.or(c.customer_type);
                    c.external_ids = p.external_ids.unwrap_or(c.external_ids);
                    c.tags = p.tags.unwrap_or(c.tags);
                    c.custom = p.custom.unwrap_or(c.custom);
                    match p.consent {
                        Some(true) if c.consent_at.is_none() => c.consent_at = Some(at),
                        Some(false) => c.consent_at = None,
                        _ => {}
                    }
                    c.updated_at = at;
                    update_customer(tx.exec(), &c).await?;
                    Ok(c)
                })
            })
            .await
            .inspect(|c| self.customer_changed(c.id))
    }

    pub async fn list_customers(&self, _actor: &Actor, params: ListCustomers) -> AppResult<Page<Customer>> {
        let mut errors = FieldErrors::default();
        let email = params.email.as_deref().and_then(|e| errors.take(Email::parse("email", e)));
        let phone = params.phone.as_deref().and_then(|p| errors.take(Phone::parse("phone", p)));
        let limit = match params.limit.as_deref().map(str::parse::<usize>) {
            None => 25,
            Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    format!("must be a whole number from 1 to {MAX_PAGE}"),
                ));
                25
            }
        };
        let after_id = params.cursor.as_deref().and_then(|c| {
            errors.take(
                c.parse::<Id>()
                    .map_err(|_| FieldError::new("cursor", "invalid_cursor", "not a cursor from this list")),
            )
        });
        errors.into_result()?;
        let mut items = list_customers(
            self.db().read(),
            &CustomerQuery {
                email,
                phone,
                after_id,
                limit: limit + 1,
            },
        )
        .await?;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|c| c.id.to_string())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// The customer's tickets the actor may see, newest first.
    pub async fn customer_tickets(&self, actor: &Actor, id: Id, mut params: ListTickets) -> AppResult<Page<Ticket>> {
        self.customer(actor, id).await?;
        params.customer = Some(id.to_string());
        self.list_tickets(actor, params).await
    }
}

/// Who serves a customer personally (专属客服).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DedicatedAgent {
    /// An agent id; `null` removes the dedicated agent.
    pub agent: Option<Id>,
}

impl App {
    /// Sets (or clears) a customer's dedicated agent, who then gets the customer's new
    /// tickets in routed teams whenever online with capacity (supervisors).
    pub async fn set_dedicated_agent(&self, actor: &Actor, customer: Id, input: DedicatedAgent) -> AppResult<DedicatedAgent> {
        actor.require_supervisor("only a supervisor can give a customer a dedicated agent")?;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    if let Some(agent) = input.agent {
                        match kefu_store::people::agent_by_id(tx.exec(), agent).await? {
                            Some(found) if found.active => {}
                            _ => return Err(AppError::field("agent", "unknown_agent", "no active agent with this id")),
                        }
                    }
                    if !kefu_store::customers::set_dedicated_agent(tx.exec(), customer, input.agent).await? {
                        return Err(AppError::NotFound {
                            what: "customer",
                            code: "customer_not_found",
                        });
                    }
                    Ok(input)
                })
            })
            .await
    }

    pub async fn dedicated_agent(&self, _actor: &Actor, customer: Id) -> AppResult<DedicatedAgent> {
        kefu_store::customers::customer_by_id(self.db().read(), customer)
            .await?
            .ok_or(AppError::NotFound {
                what: "customer",
                code: "customer_not_found",
            })?;
        let agent = kefu_store::customers::dedicated_agent(self.db().read(), customer).await?;
        Ok(DedicatedAgent { agent })
    }
}
