//! Customers: found by e-mail or phone when a ticket comes in, else created.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{json_list, json_map, ms, opt_ts, parsed, to_json, ts, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::contact::{Email, Phone};
use kefu_domain::entities::{Customer, Id};
use kefu_domain::enums::{CustomerTier, CustomerType};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde_json::{Map, Value};

const COLUMNS: &str =
    "id, name, email, phone, organization, tier, customer_type, external_ids, tags, consent_at, custom, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    organization: Option<String>,
    tier: String,
    customer_type: Option<String>,
    external_ids: String,
    tags: String,
    consent_at: Option<i64>,
    custom: String,
    created_at: i64,
    updated_at: i64,
}

impl CustomerRow {
    fn into_domain(self) -> StoreResult<Customer> {
        Ok(Customer {
            id: self.id,
            email: self
                .email
                .as_deref()
                .map(|e| parsed(Email::parse("email", e), "email", e))
                .transpose()?,
            phone: self
                .phone
                .as_deref()
                .map(|p| parsed(Phone::parse("phone", p), "phone", p))
                .transpose()?,
            name: self.name,
            organization: self.organization,
            tier: wire(CustomerTier::parse, "tier", &self.tier)?,
            customer_type: self
                .customer_type
                .as_deref()
                .map(|t| wire(CustomerType::parse, "customer_type", t))
                .transpose()?,
            external_ids: json_map(&self.external_ids)?,
            tags: json_list(&self.tags)?,
            consent_at: opt_ts(self.consent_at)?,
            custom: json_map(&self.custom)?,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
        })
    }
}

/// A customer to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub organization: Option<String>,
    pub tier: CustomerTier,
    pub customer_type: Option<CustomerType>,
    pub external_ids: Map<String, Value>,
    pub tags: Vec<String>,
    pub consent_at: Option<Timestamp>,
    pub custom: Map<String, Value>,
}

impl NewCustomer {
    /// A customer known only by a name and a way to reach them.
    pub fn contact(name: String, email: Option<Email>, phone: Option<Phone>) -> Self {
        NewCustomer {
            name,
            email,
            phone,
            organization: None,
            tier: CustomerTier::Normal,
            customer_type: None,
            external_ids: Map::new(),
            tags: Vec::new(),
            consent_at: None,
            custom: Map::new(),
        }
    }
}

pub async fn customer_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Customer>> {
    let row: Option<CustomerRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM customers WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(CustomerRow::into_domain).transpose()
}

pub async fn customer_by_email(ex: Exec<'_>, email: &Email) -> StoreResult<Option<Customer>> {
    let row: Option<CustomerRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM customers WHERE email = $1")))
        .bind(email.as_str()).fetch_optional(e).await)?;
    row.map(CustomerRow::into_domain).transpose()
}

/// The oldest customer with this phone number (phones are not unique: a company line
/// may be shared).
pub async fn customer_by_phone(ex: Exec<'_>, phone: &Phone) -> StoreResult<Option<Customer>> {
    let row: Option<CustomerRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {COLUMNS} FROM customers WHERE phone = $1 ORDER BY id LIMIT 1")))
        .bind(phone.as_str()).fetch_optional(e).await)?;
    row.map(CustomerRow::into_domain).transpose()
}

pub async fn insert_customer(ex: Exec<'_>, new: &NewCustomer, now: Timestamp) -> StoreResult<Customer> {
    let row: CustomerRow = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO customers (name, email, phone, organization, tier, customer_type, external_ids, tags, consent_at, custom, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}")))
        .bind(&new.name)
        .bind(new.email.as_ref().map(Email::as_str))
        .bind(new.phone.as_ref().map(Phone::as_str))
        .bind(new.organization.as_deref())
        .bind(new.tier.as_str())
        .bind(new.customer_type.map(CustomerType::as_str))
        .bind(to_json(&new.external_ids))
        .bind(to_json(&new.tags))
        .bind(new.consent_at.map(ms))
        .bind(to_json(&new.custom))
        .bind(ms(now))
        .fetch_one(e).await)?;
    row.into_domain()
}

/// The id of the customer with `email`, created (with `name` and `phone`) if there is
/// none; an existing customer without a phone gains `phone`. One statement, because it
/// runs on every ticket created by e-mail.
pub async fn upsert_customer_by_email(ex: Exec<'_>, name: &str, email: &Email, phone: Option<&Phone>, now: Timestamp) -> StoreResult<Id> {
    let (id,): (i64,) = exec!(ex, e => sqlx::query_as(
        "INSERT INTO customers (name, email, phone, tier, external_ids, tags, custom, created_at, updated_at) \
         VALUES ($1, $2, $3, 'normal', '{}', '[]', '{}', $4, $4) \
         ON CONFLICT (email) WHERE email IS NOT NULL DO UPDATE SET \
           phone = COALESCE(customers.phone, excluded.phone), \
           updated_at = CASE WHEN customers.phone IS NULL AND excluded.phone IS NOT NULL THEN excluded.updated_at ELSE customers.updated_at END \
         RETURNING id")
        .bind(name)
        .bind(email.as_str())
        .bind(phone.map(Phone::as_str))
        .bind(ms(now))
        .fetch_one(e).await)?;
    Ok(id)
}

/// Writes every editable field of `customer` back.
pub async fn update_customer(ex: Exec<'_>, customer: &Customer) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "UPDATE customers SET name = $2, email = $3, phone = $4, organization = $5, tier = $6, customer_type = $7, \
         external_ids = $8, tags = $9, consent_at = $10, custom = $11, updated_at = $12 WHERE id = $1")
        .bind(customer.id)
        .bind(&customer.name)
        .bind(customer.email.as_ref().map(Email::as_str))
        .bind(customer.phone.as_ref().map(Phone::as_str))
        .bind(customer.organization.as_deref())
        .bind(customer.tier.as_str())
        .bind(customer.customer_type.map(CustomerType::as_str))
        .bind(to_json(&customer.external_ids))
        .bind(to_json(&customer.tags))
        .bind(customer.consent_at.map(ms))
        .bind(to_json(&customer.custom))
        .bind(ms(customer.updated_at))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A page of customers by id, optionally only those with an e-mail or phone.
#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub after_id: Option<Id>,
    pub limit: usize,
}

pub async fn list_customers(ex: Exec<'_>, query: &CustomerQuery) -> StoreResult<Vec<Customer>> {
    let mut select = Query::select();
    select.expr(Expr::cust(COLUMNS)).from("customers");
    if let Some(email) = &query.email {
        select.and_where(Expr::col("email").eq(email.as_str()));
    }
    if let Some(phone) = &query.phone {
        select.and_where(Expr::col("phone").eq(phone.as_str()));
    }
    if let Some(after) = query.after_id {
        select.and_where(Expr::col("id").gt(after));
    }
    select.order_by("id", Order::Asc).limit(query.limit as u64);
    let rows: Vec<CustomerRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(CustomerRow::into_domain).collect()
}

/// [`upsert_customer_by_email`] for many customers in one statement; returns each e-mail
/// with its customer id. The e-mails must be distinct (PostgreSQL refuses to update one
/// row twice in a statement).
pub async fn upsert_customers_by_email(
    ex: Exec<'_>,
    customers: &[(String, Email, Option<Phone>)],
    now: Timestamp,
) -> StoreResult<Vec<(Id, String)>> {
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = Query::insert();
    insert
        .into_table("customers")
        .columns(["name", "email", "phone", "tier", "external_ids", "tags", "custom", "created_at", "updated_at"])
        .on_conflict(
            OnConflict::column("email")
                .target_and_where(Expr::col("email").is_not_null())
                .values([
                    ("phone", Expr::cust("COALESCE(customers.phone, excluded.phone)")),
                    (
                        "updated_at",
                        Expr::cust(
                            "CASE WHEN customers.phone IS NULL AND excluded.phone IS NOT NULL THEN excluded.updated_at ELSE customers.updated_at END",
                        ),
                    ),
                ])
                .to_owned(),
        )
        .returning(Query::returning().columns(["id", "email"]));
    for (name, email, phone) in customers {
        insert.values_panic([
            name.clone().into(),
            email.as_str().into(),
            phone.as_ref().map(|p| p.as_str().to_owned()).into(),
            CustomerTier::Normal.as_str().into(),
            "{}".into(),
            "[]".into(),
            "{}".into(),
            ms(now).into(),
            ms(now).into(),
        ]);
    }
    Ok(exec_built!(ex, insert, |e, sql, values| sqlx::query_as_with(sql, values)
        .fetch_all(e)
        .await)?)
}

/// A customer's dedicated agent (专属客服), if any.
pub async fn dedicated_agent(ex: Exec<'_>, customer_id: Id) -> StoreResult<Option<Id>> {
    let row: Option<(Option<i64>,)> = exec!(ex, e => sqlx::query_as("SELECT dedicated_agent_id FROM customers WHERE id = $1")
        .bind(customer_id).fetch_optional(e).await)?;
    Ok(row.and_then(|(id,)| id))
}

/// Sets or clears a customer's dedicated agent; false when there is no such customer.
pub async fn set_dedicated_agent(ex: Exec<'_>, customer_id: Id, agent_id: Option<Id>) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE customers SET dedicated_agent_id = $2 WHERE id = $1")
        .bind(customer_id).bind(agent_id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

/// The customers with these ids (those that exist), in id order.
pub async fn customers_by_ids(ex: Exec<'_>, ids: &[Id]) -> StoreResult<Vec<Customer>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .expr(Expr::cust(COLUMNS))
        .from("customers")
        .and_where(Expr::col("id").is_in(ids.iter().copied()))
        .order_by("id", Order::Asc);
    let rows: Vec<CustomerRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(CustomerRow::into_domain).collect()
}
