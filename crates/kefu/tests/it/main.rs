//! Kefu end to end: the real server, started as `kefu serve` starts it, over real HTTP,
//! on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

mod admin_pages;
mod api_analytics;
mod api_automation;
mod api_errors;
mod api_macros;
mod api_people;
mod api_routing;
mod api_service;
mod api_surveys;
mod api_tickets;
mod attachments;
mod audit;
mod branding;
mod browser;
mod browser_support;
mod categories;
mod cli;
mod inbox_counts;
mod mail_catcher;
mod portal_mail;
mod relations;
mod search;
mod support;
mod survey_mail;
mod ticket_sidebar;
mod ui;
mod views;
