//! The demo knowledge base: 300-odd articles in Chinese and English about the demo
//! company's products and service (`kb/*.json`), in a category tree. The relevance set in
//! `bench/relevance/` asks questions of these articles.

use crate::error::{AppError, AppResult};
use crate::{App, now};
use kefu_domain::entities::Id;
use kefu_domain::knowledge::{Article, ArticleStatus, Locale};
use kefu_store::knowledge as store;
use serde::Deserialize;
use std::collections::HashMap;

/// The category tree: path, Chinese name, English name.
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("account", "账户与账单", "Account and billing"),
    ("account/login", "账户与登录", "Account and sign-in"),
    ("account/billing", "账单与发票", "Bills and invoices"),
    ("orders", "订单", "Orders"),
    ("orders/delivery", "订单配送", "Delivery"),
    ("orders/changes", "修改与取消订单", "Changing and cancelling orders"),
    ("after-sales", "售后服务", "After-sales service"),
    ("after-sales/returns", "退换货", "Returns and exchanges"),
    ("after-sales/refunds", "退款", "Refunds"),
    ("after-sales/warranty", "保修政策", "Warranty"),
    ("after-sales/repair", "维修服务", "Repairs"),
    ("devices", "智能设备", "Smart devices"),
    ("devices/smartwatch", "智能手表", "Smartwatch"),
    ("devices/speaker", "蓝牙音箱", "Speaker"),
    ("devices/vacuum", "扫地机器人", "Robot vacuum"),
    ("devices/tablet", "平板电脑", "Tablet"),
    ("devices/lock", "智能门锁", "Smart lock"),
    ("devices/aircon", "空调", "Air conditioner"),
    ("equipment", "工程机械", "Construction equipment"),
    ("equipment/excavator", "挖掘机", "Excavators"),
    ("equipment/loader", "装载机", "Wheel loaders"),
    ("equipment/crane", "起重机", "Cranes"),
    ("equipment/generator", "发电机组", "Generators"),
    ("equipment/roller", "压路机", "Road rollers"),
    ("equipment/maintenance", "保养", "Maintenance"),
    ("software", "软件与云服务", "Software and cloud"),
    ("software/kefu-cloud", "Kefu Cloud", "Kefu Cloud"),
    ("software/smartsite", "智慧工地", "SmartSite Manager"),
    ("software/fleet", "车队管理", "Fleet Manager"),
    ("field-service", "上门服务", "Field service"),
    ("field-service/installation", "安装服务", "Installation"),
    ("field-service/appointments", "上门预约", "Appointments"),
    ("policies", "服务政策", "Policies"),
    ("policies/privacy", "隐私政策", "Privacy"),
    ("policies/terms", "服务条款", "Terms of service"),
    ("internal", "内部资料", "Internal"),
    ("internal/procedures", "内部处理流程", "Procedures"),
];

/// One article of the demo set, as written in `kb/*.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedArticle {
    pub slug: String,
    pub locale: String,
    pub translation_of: Option<String>,
    pub category: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub product: Option<String>,
    pub internal: bool,
}

/// Every demo article, originals before their translations.
pub fn seed_articles() -> AppResult<Vec<SeedArticle>> {
    let mut all = Vec::new();
    for (name, text) in [
        ("articles_service.json", include_str!("kb/articles_service.json")),
        ("articles_product.json", include_str!("kb/articles_product.json")),
    ] {
        let articles: Vec<SeedArticle> =
            serde_json::from_str(text).map_err(|e| AppError::Internal(format!("demo knowledge base {name}: {e}")))?;
        all.extend(articles);
    }
    all.sort_by_key(|a| a.translation_of.is_some());
    Ok(all)
}

impl App {
    /// Loads the demo knowledge base unless the knowledge base already has categories.
    /// Returns how many articles it added.
    pub(crate) async fn load_demo_knowledge_base(&self, owner: Id) -> AppResult<usize> {
        if !store::categories(self.db().read()).await?.is_empty() {
            return Ok(0);
        }
        let articles = seed_articles()?;
        let count = articles.len();
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut categories: HashMap<&str, Id> = HashMap::new();
                    for (position, (path, zh, en)) in CATEGORIES.iter().enumerate() {
                        let parent = path.rsplit_once('/').and_then(|(parent, _)| categories.get(parent).copied());
                        let id = store::upsert_category(tx.exec(), path, parent, zh, en, position as i64).await?;
                        categories.insert(path, id);
                    }
                    let at = now();
                    // Reviews fall due over the next months; a few are already due.
                    let today = jiff::tz::TimeZone::UTC.to_datetime(at).date();
                    let mut ids: HashMap<String, Id> = HashMap::new();
                    for (n, seed) in articles.iter().enumerate() {
                        let locale = Locale::parse("locale", &seed.locale).map_err(|e| AppError::Internal(e.message))?;
                        let group = seed.translation_of.as_ref().and_then(|slug| ids.get(slug)).copied().unwrap_or(0);
                        let article = Article {
                            slug: seed.slug.clone(),
                            translation_group: group,
                            category_id: categories.get(seed.category.as_str()).copied(),
                            title: seed.title.clone(),
                            body: seed.body.clone(),
                            tags: seed.tags.clone(),
                            product: seed.product.clone(),
                            status: ArticleStatus::Published,
                            internal: seed.internal,
                            review_on: today.checked_add(jiff::Span::new().days(n as i64 % 180 - 10)).ok(),
                            published_at: Some(at),
                            ..Article::draft(locale, Some(owner), at)
                        };
                        let id = store::insert_article(tx.exec(), &article).await?;
                        store::insert_version(tx.exec(), id, 1, &article, Some(owner)).await?;
                        ids.insert(seed.slug.clone(), id);
                    }
                    Ok::<_, AppError>(())
                })
            })
            .await?;
        self.wake_search();
        Ok(count)
    }
}
